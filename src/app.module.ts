import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { ConsoleModule } from './console/console.module';
import { DatabaseModule } from './database/database.module';
import { DetectionModule } from './detection/detection.module';
import { FeedModule } from './feed/feed.module';
import { IngestModule } from './ingest/ingest.module';
import { OpsModule } from './ops/ops.module';
import { RbacModule } from './rbac/rbac.module';
import { RetentionModule } from './retention/retention.module';
import { SourcesModule } from './sources/sources.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        DatabaseModule,
        FeedModule,
        AuthModule,
        OpsModule,
        IngestModule,
        AuditModule,
        ConsoleModule,
        RbacModule,
        RetentionModule,
        DetectionModule,
        SourcesModule,
      ],
    };
  }
}
