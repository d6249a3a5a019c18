/**
 * Redaction at rest through the real webhook, on SQLite and MariaDB: what the database holds
 * is read straight from it (a connection of the test), never through the application.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImport } from '../../src/cli/import';
import { openAppDirectSink } from '../../src/import/import-command';
import type { DatabaseConfig } from '../../src/config/app-config';
import { sensitiveEvents, SensitiveEvents } from '../support/sensitive-events';
import {
  backends,
  databaseEnv,
  freshDatabase,
  startTestAppOn,
  TestApp,
  TestDatabase,
} from '../support/test-app';
import { queryDatabase } from '../support/test-database-query';

type Json = Record<string, unknown>;
type Row = Record<string, unknown>;

const MARKER = /<redacted-hmac:[0-9a-f]{12}>/;
const CLUSTER = 'prod';

const query = (database: DatabaseConfig, sql: string, params: unknown[] = []) =>
  queryDatabase<Row>(database, sql, params);

/** Every text the database holds for stored and quarantined events, one string per row. */
async function storedTexts(database: DatabaseConfig): Promise<string[]> {
  const rows = [
    ...(await query(database, 'SELECT * FROM audit_events')),
    ...(await query(database, 'SELECT * FROM audit_quarantine')),
  ];
  return rows.map((row) =>
    Object.values(row)
      .filter((value): value is string => typeof value === 'string')
      .join('\n'),
  );
}

/** The stored event JSON of one auditID (the first stage stored). */
async function storedEvent(database: DatabaseConfig, auditID: string): Promise<Json> {
  const [row] = await query(database, 'SELECT event FROM audit_events WHERE audit_id = ?', [
    auditID,
  ]);
  if (!row) throw new Error(`${auditID} is not stored`);
  return JSON.parse(String(row.event)) as Json;
}

function leaked(texts: string[], values: readonly string[]): string[] {
  const all = texts.join('\n');
  return values.filter((value) => all.includes(value));
}

async function post(app: TestApp, items: unknown[], cluster = CLUSTER): Promise<Json> {
  const res = await fetch(`${app.url}/webhook/audit/${cluster}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

async function getText(app: TestApp, path: string): Promise<string> {
  const res = await fetch(`${app.url}${path}`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
  return text;
}

/** `npm run import -- FILE --cluster CLUSTER` in direct mode; returns its summary. */
async function importDirect(database: DatabaseConfig, events: unknown[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'redaction-import-'));
  try {
    const file = join(dir, 'audit.log');
    writeFileSync(file, events.map((event) => JSON.stringify(event)).join('\n'));
    const out: string[] = [];
    const code = await runImport([file, '--cluster', CLUSTER], {
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: () => undefined },
      openDirectSink: (cluster) => openAppDirectSink(cluster, databaseEnv(database)),
    });
    expect(code).toBe(0);
    return out.join('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The stored marker of a Secret's `data.password` in the request of `auditID`. */
async function passwordMarker(database: DatabaseConfig, auditID: string): Promise<string> {
  const event = await storedEvent(database, auditID);
  return String(((event.requestObject as Json).data as Json).password);
}

/** The corpus Secret create again, as a new request, carrying `password`. */
function secretCreate(fixture: SensitiveEvents, auditID: string, password: string): Json {
  const create = fixture.events[0];
  return {
    ...create,
    auditID,
    requestObject: {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: fixture.object,
      data: { password: Buffer.from(password).toString('base64') },
    },
  };
}

describe.each(backends())('redaction at rest (%s)', (backend) => {
  let fixture: SensitiveEvents;
  beforeAll(async () => {
    fixture = await sensitiveEvents();
  });

  describe('with the default REDACT=secrets,tokens', () => {
    let fresh: TestDatabase;
    let app: TestApp;
    beforeAll(async () => {
      fresh = freshDatabase(backend);
      app = await startTestAppOn(fresh.database);
      expect(await post(app, fixture.events)).toEqual({
        accepted: fixture.events.length,
        duplicates: 0,
        rejected: 0,
      });
    });
    afterAll(async () => {
      await app?.close();
      await fresh?.drop();
    });

    it('stores none of the original values, and markers in their place', async () => {
      const texts = await storedTexts(fresh.database);
      expect(texts).toHaveLength(fixture.events.length);
      expect(leaked(texts, fixture.values)).toEqual([]);
      for (const text of texts) expect(decodeURIComponent(text)).toMatch(MARKER);
      const exec = await query(
        fresh.database,
        "SELECT request_uri FROM audit_events WHERE subresource = 'exec'",
      );
      const command = new URLSearchParams(String(exec[0].request_uri).split('?')[1]);
      expect(command.getAll('command').filter((arg) => MARKER.test(arg)).length).toBeGreaterThan(2);
    });

    it('stores nothing new when the same batch is posted again', async () => {
      expect(await post(app, fixture.events)).toEqual({
        accepted: 0,
        duplicates: fixture.events.length,
        rejected: 0,
      });
      const [count] = await query(fresh.database, 'SELECT COUNT(*) AS n FROM audit_events');
      expect(Number(count.n)).toBe(fixture.events.length);
    });

    it('shows markers, never values, in the event detail', async () => {
      const page = JSON.parse(
        await getText(app, `/api/v1/events?cluster=${CLUSTER}&resource=secrets&limit=100`),
      ) as { items: { id: string; auditID: string }[] };
      const create = page.items.find((item) => item.auditID === fixture.events[0].auditID)!;
      const detail = await getText(app, `/api/v1/events/${create.id}`);
      expect(leaked([detail], fixture.values)).toEqual([]);
      const event = (JSON.parse(detail) as { event: Json }).event;
      const data = (event.requestObject as Json).data as Json;
      expect(data.password).toMatch(MARKER);
      expect(data.password).toBe(await passwordMarker(fresh.database, create.auditID));
    });

    it('shows a changed value as a change between two markers in the object history', async () => {
      const { namespace, name } = fixture.object;
      const text = await getText(
        app,
        `/api/v1/objects/history?cluster=${CLUSTER}&apiGroup=&resource=secrets&namespace=${namespace}&name=${name}`,
      );
      expect(leaked([text], fixture.values)).toEqual([]);
      const history = JSON.parse(text) as {
        items: {
          auditID: string;
          diff?: { path: string; op: string; before?: string; after?: string }[];
        }[];
      };
      const update = history.items.find((item) => item.auditID === fixture.events[1].auditID)!;
      const password = update.diff?.find((change) => change.path === 'data.password');
      expect(password?.op).toBe('changed');
      expect(password?.before).toMatch(MARKER);
      expect(password?.after).toMatch(MARKER);
      expect(password?.before).not.toBe(password?.after);
      expect(update.diff?.find((change) => change.path === 'data["api-key"]')).toBeUndefined();
    });

    it('stores the same redacted events through the importer: all duplicates of the webhook', async () => {
      const summary = await importDirect(fresh.database, fixture.events);
      expect(summary).toMatch(new RegExp(`^  accepted: +0\\b`, 'm'));
      expect(summary).toMatch(new RegExp(`^  duplicates: +${fixture.events.length}\\b`, 'm'));
      const again = `${String(fixture.events[0].auditID).slice(0, 30)}import`;
      await importDirect(fresh.database, [secretCreate(fixture, again, fixture.named.password)]);
      const texts = await storedTexts(fresh.database);
      expect(texts).toHaveLength(fixture.events.length + 1);
      expect(leaked(texts, fixture.values)).toEqual([]);
      const webhook = await passwordMarker(fresh.database, String(fixture.events[0].auditID));
      expect(await passwordMarker(fresh.database, again)).toBe(webhook);
    });

    it('keeps the key across a restart: the same value gets the same marker', async () => {
      const first = await passwordMarker(fresh.database, String(fixture.events[1].auditID));
      expect(first).toMatch(MARKER);
      await app.close();
      app = await startTestAppOn(fresh.database);
      const again = `${String(fixture.events[0].auditID).slice(0, 30)}restart`;
      await post(app, [secretCreate(fixture, again, fixture.named.newPassword)]);
      expect(await passwordMarker(fresh.database, again)).toBe(first);
      // One key, not a second one made at the restart (the detector keeps its own settings).
      const keys = await query(
        fresh.database,
        "SELECT name FROM audit_settings WHERE name NOT LIKE 'detection%'",
      );
      expect(keys).toEqual([{ name: 'redaction_key' }]);
    });
  });

  it('stores events as sent with REDACT=none', async () => {
    const fresh = freshDatabase(backend);
    const app = await startTestAppOn(fresh.database, { REDACT: 'none' });
    try {
      await post(app, fixture.events);
      const texts = await storedTexts(fresh.database);
      expect(texts.join('\n')).not.toMatch(MARKER);
      for (const value of Object.values(fixture.named)) {
        const stored = leaked(texts, [value, Buffer.from(value).toString('base64')]);
        expect(stored.length).toBeGreaterThan(0);
      }
    } finally {
      await app.close();
      await fresh.drop();
    }
  });

  it('gives two replicas that start together one key', async () => {
    const fresh = freshDatabase(backend);
    const apps = await Promise.all([
      startTestAppOn(fresh.database),
      startTestAppOn(fresh.database),
    ]);
    try {
      const ids = ['replica-a', 'replica-b'];
      await Promise.all(
        apps.map((app, i) => post(app, [secretCreate(fixture, ids[i], fixture.named.password)])),
      );
      const [a, b] = await Promise.all(ids.map((id) => passwordMarker(fresh.database, id)));
      expect(a).toMatch(MARKER);
      expect(b).toBe(a);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
      await fresh.drop();
    }
  });
});
