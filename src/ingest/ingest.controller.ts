import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { PublicRoute } from '../auth/public-route.decorator';
import { IngestResult, IngestService } from './ingest.service';
import { itemsOfBatch } from './batch-body';
import { IngestBackpressure } from './ingest-backpressure';
import { WebhookCluster } from './webhook-cluster';

/** The kube-apiserver audit webhook target. Cluster and token were settled by the middleware. */
@PublicRoute()
@Controller('webhook/audit')
export class IngestController {
  constructor(
    private readonly ingest: IngestService,
    private readonly backpressure: IngestBackpressure,
  ) {}

  @Post(':cluster')
  @HttpCode(200)
  ingestForCluster(
    @WebhookCluster() cluster: string,
    @Body() body: unknown,
  ): Promise<IngestResult> {
    const items = itemsOfBatch(body);
    return this.backpressure.admit(cluster, () => this.ingest.ingestBatch(cluster, items));
  }

  @Post()
  @HttpCode(200)
  ingestFromQuery(@WebhookCluster() cluster: string, @Body() body: unknown): Promise<IngestResult> {
    const items = itemsOfBatch(body);
    return this.backpressure.admit(cluster, () => this.ingest.ingestBatch(cluster, items));
  }
}
