import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { OpsModule } from '../ops/ops.module';
import { SOURCE_STORE } from './source-store.repository';
import { SourcesController } from './sources.controller';
import { SourcesService } from './sources.service';
import { SqlSourceStore } from './sql-source-store.repository';

/** Managed clusters' audit logs pulled from their clouds (SOURCES_FILE). */
@Module({
  imports: [IngestModule, OpsModule],
  controllers: [SourcesController],
  providers: [SourcesService, { provide: SOURCE_STORE, useClass: SqlSourceStore }],
  exports: [SourcesService, SOURCE_STORE],
})
export class SourcesModule {}
