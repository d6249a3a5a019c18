import {
  Controller,
  Get,
  Header,
  Headers,
  Inject,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { bearerToken } from '../auth/api-tokens';
import { DataSource } from 'typeorm';
import { withConnectionDeadline } from '../database/connection-deadline';
import { PublicRoute } from '../auth/public-route.decorator';
import { AuditMetrics } from './audit-metrics';
import { ReadinessDetails } from './readiness-details';

const READY_TIMEOUT_MS = 2000;

@PublicRoute()
@Controller()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: AuditMetrics,
    private readonly details: ReadinessDetails,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The process is alive (liveness): no dependencies, so a slow database never restarts pods. */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * The database answers (readiness): take this pod out of the Service otherwise. The body also
   * says how each managed-cluster source fares on this replica, for people; that never makes
   * the pod unready.
   */
  @Get('readyz')
  async readyz(): Promise<{ status: 'ok'; database: 'ok' } & Record<string, unknown>> {
    try {
      // With a deadline that also frees the connection: a probe stuck on a partitioned database
      // would otherwise keep a pooled connection, and a few probes would starve ingest.
      await withConnectionDeadline(this.dataSource, READY_TIMEOUT_MS, (runner) =>
        runner.query('SELECT 1'),
      );
      return { status: 'ok', database: 'ok', ...this.details.collect() };
    } catch (error) {
      throw new ServiceUnavailableException(`database not reachable: ${(error as Error).message}`);
    }
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(@Headers('authorization') authorization?: string): Promise<string> {
    const expected = this.config.auth.metricsToken;
    if (expected !== undefined) {
      const digest = (v: string) => createHash('sha256').update(v).digest();
      const given = bearerToken(authorization);
      if (given === undefined || !timingSafeEqual(digest(given), digest(expected))) {
        throw new UnauthorizedException('/metrics needs Authorization: Bearer <METRICS_TOKEN>');
      }
    }
    return this.metrics.registry.metrics();
  }
}
