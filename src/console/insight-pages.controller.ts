import { Get, Header, Param, Query } from '@nestjs/common';
import { AccessLogged } from '../access-log/access-logged.decorator';
import { AuditService } from '../audit/audit.service';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { ObjectHistoryQueryDto, UserActivityParamsDto } from '../audit/history-activity.dto';
import { ConsoleController } from './console-access.guard';
import { Filters, parseFilters } from './console-filters';
import { userActivityHref } from './event-detail.view';
import { objectHistoryView } from './object-history.view';
import { ATTENTION_SECTIONS, overviewView, sectionFilters } from './overview.view';
import { PageRenderer } from './page-renderer';
import { userActivityView } from './user-activity.view';

const HTML = 'text/html; charset=utf-8';
/** Ranges when the URL names none: the overview's day, and the activity API's default week. */
const OVERVIEW_RANGE = '24h';
const ACTIVITY_RANGE = '7d';
const HISTORY_PAGE = 50;
const SECTION_ROWS = 10;
/** Per-cluster charts on the overview; more clusters than this are reached by the switcher. */
const MAX_CLUSTER_CHARTS = 12;

/** Object history, user activity and the overview: the pages that answer "what happened". */
@ConsoleController()
export class InsightPagesController {
  constructor(
    private readonly audit: AuditService,
    private readonly renderer: PageRenderer,
  ) {}

  @Get('objects')
  @AccessLogged('object-history')
  @Header('content-type', HTML)
  async objectHistory(
    @CurrentIdentity() who: Identity,
    @Query() dto: ObjectHistoryQueryDto,
  ): Promise<string> {
    const ref = {
      cluster: dto.cluster,
      apiGroup: dto.apiGroup,
      resource: dto.resource,
      namespace: dto.namespace ?? '',
      name: dto.name,
    };
    const page = await this.audit.objectHistory(who.visibility, ref, {
      limit: dto.limit ?? HISTORY_PAGE,
      cursor: dto.cursor,
    });
    return this.renderer.render('object-history', objectHistoryView(ref, page));
  }

  @Get('users/:username')
  @AccessLogged('user-activity')
  @Header('content-type', HTML)
  async userActivity(
    @CurrentIdentity() who: Identity,
    @Param() params: UserActivityParamsDto,
    @Query() raw: Record<string, unknown>,
  ): Promise<string> {
    const now = Date.now();
    const { filters, query } = parseFilters({ from: ACTIVITY_RANGE, ...raw }, now);
    const [activity, clusters] = await Promise.all([
      this.audit.userActivity(who.visibility, params.username, {
        fromMs: query.fromMs ?? now,
        toMs: query.toMs ?? now,
        cluster: query.cluster,
      }),
      this.audit.clusters(who.visibility),
    ]);
    const path = userActivityHref(params.username);
    return this.renderer.render(
      'user-activity',
      userActivityView(activity, filters, clusters, path),
    );
  }

  @Get('overview')
  @AccessLogged('stats')
  @Header('content-type', HTML)
  async overview(
    @CurrentIdentity() who: Identity,
    @Query() raw: Record<string, unknown>,
  ): Promise<string> {
    const now = Date.now();
    const { filters, query } = parseFilters({ from: OVERVIEW_RANGE, ...raw }, now);
    const clusters = await this.audit.clusters(who.visibility);
    const charted = (filters.cluster ?? clusters).slice(0, MAX_CLUSTER_CHARTS);
    const [stats, clusterStats, sections] = await Promise.all([
      this.audit.stats(who.visibility, query),
      Promise.all(
        charted.map(async (cluster) => ({
          cluster,
          stats: await this.audit.stats(who.visibility, { ...query, cluster: [cluster] }),
        })),
      ),
      Promise.all(
        ATTENTION_SECTIONS.map((section) =>
          this.audit.listEvents(who.visibility, sectionQuery(filters, section.filters, now), {
            limit: SECTION_ROWS,
          }),
        ),
      ),
    ]);
    return this.renderer.render(
      'overview',
      overviewView({ stats, clusterStats, sections, clusters }, filters),
    );
  }
}

/** A section's search, parsed from its filters exactly as its "see all" link will be. */
function sectionQuery(filters: Filters, own: Filters, now: number) {
  return parseFilters(sectionFilters(filters, { filters: own }), now).query;
}
