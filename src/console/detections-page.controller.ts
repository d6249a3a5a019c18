import { Get, Header, Inject, Query } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AccessLogged } from '../access-log/access-logged.decorator';
import { AuditService } from '../audit/audit.service';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { DetectionQueryService } from '../detection/query/detection-query.service';
import { toDetectionFilter } from '../detection/query/detections.controller';
import { DetectionsQueryDto } from '../detection/query/detections-query.dto';
import { ConsoleController } from './console-access.guard';
import { filledFields, validated } from './console-filters';
import { detectionsPageView } from './detections.view';
import { PageRenderer } from './page-renderer';

/** Alerts a page of the list. */
const ROWS = 50;

/**
 * The page's query string checked by the API's own DTO, after dropping empty fields (the
 * unfilled inputs of its form), as the events page does (console-filters.ts).
 */
export function parseDetectionParams(raw: Record<string, unknown>): DetectionsQueryDto {
  return validated(DetectionsQueryDto, filledFields(raw));
}

/**
 * `/detections`: what the rules found, per rule (alerts, detections, priority, last seen), and
 * the newest alerts; `?rule=<name>` lists that rule's alerts. Parameters are those of
 * `GET /api/v1/detections`, checked by the same DTO.
 */
@ConsoleController()
export class DetectionsPageController {
  constructor(
    private readonly detections: DetectionQueryService,
    private readonly audit: AuditService,
    private readonly renderer: PageRenderer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('detections')
  @AccessLogged('detections')
  @Header('content-type', 'text/html; charset=utf-8')
  async page(
    @CurrentIdentity() who: Identity,
    @Query() raw: Record<string, unknown>,
  ): Promise<string> {
    const dto = parseDetectionParams(raw);
    const now = Date.now();
    const filter = toDetectionFilter(dto, now);
    const oneRule = dto.rule?.length === 1;
    const { alertsOnly: _alerts, ...ranged } = filter;
    const [summary, page, clusters] = await Promise.all([
      oneRule ? Promise.resolve(null) : this.detections.summary(who.visibility, ranged, now),
      this.detections.list(who.visibility, filter, {
        limit: dto.limit ?? ROWS,
        cursor: dto.cursor?.toLowerCase(),
      }),
      this.audit.clusters(who.visibility),
    ]);
    return this.renderer.render('detections', {
      ...detectionsPageView(summary, page, clusters, {
        cluster: dto.cluster,
        rule: dto.rule,
        priority: dto.priority?.toLowerCase(),
        from: dto.from,
        to: dto.to,
        grouped: dto.grouped,
      }),
      // DETECTIONS=false: what is listed was found before, or by `npm run detect`.
      detectorOff: !this.config.detection.enabled,
    });
  }
}
