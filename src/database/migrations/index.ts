import { InitialSchema1795000000000 } from './1795000000000-initial-schema';
import { QueryIndexes1796000000000 } from './1796000000000-query-indexes';
import { Settings1797000000000 } from './1797000000000-settings';
import { AccessLog1797100000000 } from './1797100000000-access-log';
import { ConsoleSessions1797200000000 } from './1797200000000-console-sessions';
import { FtsEventIds1797500000000 } from './1797500000000-fts-event-ids';
import { Detections1797600000000 } from './1797600000000-detections';
import { SourceCheckpoints1797700000000 } from './1797700000000-source-checkpoints';

/** Every schema change, oldest first. Run at startup (see database.module.ts). */
export const MIGRATIONS = [
  InitialSchema1795000000000,
  QueryIndexes1796000000000,
  Settings1797000000000,
  AccessLog1797100000000,
  ConsoleSessions1797200000000,
  FtsEventIds1797500000000,
  Detections1797600000000,
  SourceCheckpoints1797700000000,
];
export const MIGRATIONS_TABLE = 'audit_schema_migrations';
