import { Global, Module } from '@nestjs/common';
import { CommittedEventsFeed } from './committed-events.feed';

@Global()
@Module({ providers: [CommittedEventsFeed], exports: [CommittedEventsFeed] })
export class FeedModule {}
