import { Global, Module } from '@nestjs/common';
import { CommittedEventsFeed } from './committed-events.feed';
import { IngestActivity } from './ingest-activity';

@Global()
@Module({
  providers: [CommittedEventsFeed, IngestActivity],
  exports: [CommittedEventsFeed, IngestActivity],
})
export class FeedModule {}
