import { Get, Header } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { SourcesService } from '../sources/sources.service';
import { clustersView } from './clusters.view';
import { ConsoleController } from './console-access.guard';
import { PageRenderer } from './page-renderer';

/** `/clusters`: the clusters the viewer may see, their newest event, and the managed sources. */
@ConsoleController()
export class ClustersPageController {
  constructor(
    private readonly audit: AuditService,
    private readonly sources: SourcesService,
    private readonly renderer: PageRenderer,
  ) {}

  @Get('clusters')
  @Header('content-type', 'text/html; charset=utf-8')
  async clustersPage(@CurrentIdentity() who: Identity): Promise<string> {
    const [clusters, sources] = await Promise.all([
      this.audit.clusterActivity(who.visibility),
      this.sources.overview(who.visibility),
    ]);
    return this.renderer.render('clusters', clustersView(clusters, sources, Date.now()));
  }
}
