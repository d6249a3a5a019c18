import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { SourceOverview, SourcesService } from './sources.service';

@ApiTags('sources')
@Controller('api/v1')
export class SourcesController {
  constructor(private readonly sources: SourcesService) {}

  /** The managed-cluster sources of SOURCES_FILE the caller may see, with their positions. */
  @Get('sources')
  @ApiOkResponse({
    description:
      'Each source: name, kind, cluster, state on the replica answering (leading or standby), newest event and last commit, last error (on the leading replica)',
  })
  list(@CurrentIdentity() who: Identity): Promise<SourceOverview[]> {
    return this.sources.overview(who.visibility);
  }
}
