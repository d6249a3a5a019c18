import { Logger, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { OpsModule } from '../ops/ops.module';
import { DETECTION_STORE } from './detection-store.repository';
import { DETECTION_RULES, DetectionService } from './detection.service';
import { FalcosidekickForwarder } from './falcosidekick-forwarder';
import { loadConfiguredRules, type LoadedRules } from './rules-loader';
import { SqlDetectionStore } from './sql-detection-store.repository';

/**
 * The rules engine's runtime: loads the rules at startup (a rules file that does not load stops
 * the service, naming file and line), runs them after commit (DetectionService), forwards
 * alerts (FalcosidekickForwarder). `npm run detect` uses the same store and rules.
 */
@Module({
  imports: [OpsModule],
  providers: [
    {
      provide: DETECTION_RULES,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): LoadedRules | undefined => {
        const logger = new Logger('Detections');
        if (!config.detection.enabled) {
          logger.log('DETECTIONS=false: no detection rule runs');
          return undefined;
        }
        const loaded = loadConfiguredRules(config.detection);
        logger.log(
          `${loaded.ruleset.rules.length} detection rules loaded from ${loaded.files.length} files` +
            `${config.detection.defaultRules ? '' : ' (RULES_DEFAULT=false: only RULES_FILES)'}` +
            `${config.detection.falcosidekickUrl ? '; alerts are forwarded to FALCOSIDEKICK_URL' : ''}`,
        );
        return loaded;
      },
    },
    { provide: DETECTION_STORE, useClass: SqlDetectionStore },
    FalcosidekickForwarder,
    DetectionService,
  ],
  exports: [DETECTION_RULES, DETECTION_STORE, FalcosidekickForwarder],
})
export class DetectionModule {}
