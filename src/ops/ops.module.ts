import { Module } from '@nestjs/common';
import { AuditMetrics } from './audit-metrics';
import { HealthController } from './health.controller';
import { ReadinessDetails } from './readiness-details';

/** Health, readiness and Prometheus metrics: what the kubelet and the scrape job read. */
@Module({
  controllers: [HealthController],
  providers: [AuditMetrics, ReadinessDetails],
  exports: [AuditMetrics, ReadinessDetails],
})
export class OpsModule {}
