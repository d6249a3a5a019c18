import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { hmacMarker, Marker, redactEvent, RedactionPolicy } from './redaction';
import { REDACTION_KEY_STORE, RedactionKeyStore } from './redaction-key.repository';

/**
 * Redaction at rest for ingest (webhook and importer): REDACT's switches with the marker key,
 * from REDACT_KEY or, without it, made once and kept in the database (docs/redaction.md).
 */
@Injectable()
export class EventRedactor implements OnModuleInit {
  private readonly logger = new Logger(EventRedactor.name);
  private readonly policy: RedactionPolicy;
  private marker?: Marker;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDACTION_KEY_STORE) private readonly keys: RedactionKeyStore,
  ) {
    this.policy = { secrets: config.redaction.secrets, tokens: config.redaction.tokens };
  }

  private get enabled(): boolean {
    return this.policy.secrets || this.policy.tokens;
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) {
      this.logger.warn(
        'REDACT=none: Secret values and tokens are stored as the apiserver sent them',
      );
      return;
    }
    const given = this.config.redaction.key;
    const key = given ?? (await this.keys.keyOr(randomBytes(32).toString('hex')));
    this.marker = hmacMarker(key);
    const what = Object.entries(this.policy)
      .filter(([, on]) => on)
      .map(([name]) => name);
    this.logger.log(
      `redacting ${what.join(' and ')} before storage (marker key from ${given ? 'REDACT_KEY' : 'the database'})`,
    );
  }

  /** The event as it may be stored; anything that is not an event object comes back as is. */
  redact<T>(raw: T): T {
    if (!this.enabled) return raw;
    // Storing unredacted because the key is not loaded yet would be silent: refuse instead.
    if (!this.marker) throw new Error('redaction key not loaded (EventRedactor not initialised)');
    return redactEvent(raw, this.policy, this.marker);
  }
}
