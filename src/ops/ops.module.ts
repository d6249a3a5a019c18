import { Module } from '@nestjs/common';
import { AuditMetrics } from './audit-metrics';
import { HealthController } from './health.controller';

/** Health, readiness and Prometheus metrics: what the kubelet and the scrape job read. */
@Module({
  controllers: [HealthController],
  providers: [AuditMetrics],
  exports: [AuditMetrics],
})
export class OpsModule {}
