import { createHmac } from 'node:crypto';
import { loadCorpus } from '../../test/support/corpus';
import {
  LAST_APPLIED,
  sensitiveEvents,
  SensitiveEvents,
} from '../../test/support/sensitive-events';
import { diffStates, stateAfter } from '../audit/object-diff';
import type { AuditEvent, JsonObject } from '../domain/audit-event';
import { normalizeEvent } from '../domain/normalize-event';
import { isRedactionMarker } from '../domain/redaction-marker';
import { redactStoredEvent, toKubectl } from '../reconstruction';
import { hmacMarker, redactEvent, RedactionPolicy } from './redaction';

const KEY = 'k'.repeat(32);
const marker = hmacMarker(KEY);
const BOTH: RedactionPolicy = { secrets: true, tokens: true };
const MARKERS = /<redacted-hmac:[0-9a-f]{12}>/g;

type Raw = Record<string, unknown>;

function expected(value: string | Buffer): string {
  const hex = createHmac('sha256', KEY).update(value).digest('hex').slice(0, 12);
  return `<redacted-hmac:${hex}>`;
}

function normalized(raw: unknown): AuditEvent {
  const result = normalizeEvent(raw);
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

function b64(value: string): string {
  return Buffer.from(value).toString('base64');
}

function leaked(json: string, values: readonly string[]): string[] {
  return values.filter((value) => json.includes(value));
}

describe('redactEvent', () => {
  let fixture: SensitiveEvents;
  beforeAll(async () => {
    fixture = await sensitiveEvents();
  });

  const byVerb = (verb: string, resource = 'secrets', subresource?: string) =>
    fixture.events.find((event) => {
      const ref = event.objectRef as { resource?: string; subresource?: string };
      return event.verb === verb && ref.resource === resource && ref.subresource === subresource;
    })!;

  it('leaves none of the values of the corpus Secret, token, exec and pod events', () => {
    const original = JSON.stringify(fixture.events);
    for (const value of Object.values(fixture.named)) {
      expect(original.includes(value) || original.includes(b64(value))).toBe(true);
    }
    for (const event of fixture.events) {
      const redacted = redactEvent(event, BOTH, marker);
      const json = JSON.stringify(redacted);
      // Values are URL-safe, so an exec URI would show them unencoded; markers are encoded there.
      expect(leaked(json, fixture.values)).toEqual([]);
      expect(json + decodeURIComponent(String(redacted.requestURI))).toMatch(MARKERS);
    }
  });

  it('keeps the keys of Secret data and takes the marker over the decoded value', () => {
    const create = redactEvent(fixture.events[0], BOTH, marker);
    const request = create.requestObject as JsonObject;
    const response = create.responseObject as JsonObject;
    expect(request.data).toEqual({
      password: expected(fixture.named.password),
      'api-key': expected(fixture.named.apiKey),
    });
    const extra = (request.stringData as JsonObject).extra as string;
    // stringData in, data (base64 of the same value) out: one marker.
    expect((response.data as JsonObject).extra).toBe(extra);
    expect(create.auditID).toBe(fixture.events[0].auditID);
    expect(create.user).toEqual(fixture.events[0].user);
  });

  it('gives equal values equal markers and a changed value a new one', () => {
    const [create, update] = [fixture.events[0], fixture.events[1]].map(
      (event) => (redactEvent(event, BOTH, marker).responseObject as JsonObject).data as JsonObject,
    );
    expect(update['api-key']).toBe(create['api-key']);
    expect(update.password).not.toBe(create.password);
    expect(hmacMarker('another key of 32 characters....')(fixture.named.password)).not.toBe(
      create.password,
    );
  });

  it('redacts the last-applied copy of a Secret inside the annotation and keeps its form', () => {
    const patch = byVerb('patch');
    const redacted = redactEvent(patch, BOTH, marker).requestObject as JsonObject;
    const annotation = ((redacted.metadata as JsonObject).annotations as JsonObject)[
      LAST_APPLIED
    ] as string;
    expect(annotation.endsWith('}\n')).toBe(true);
    const copy = JSON.parse(annotation) as { data: Record<string, string>; kind: string };
    expect(copy.kind).toBe('Secret');
    expect(Object.keys(copy.data)).toEqual(['password', 'api-key']);
    expect(Object.values(copy.data).every(isRedactionMarker)).toBe(true);
    expect(copy.data.password).toBe((redacted.data as JsonObject).password);
  });

  it('replaces an annotation that does not parse as one value', () => {
    const broken = `{"data":{"password":"${fixture.named.password}"`;
    const event = {
      ...byVerb('update'),
      requestObject: { kind: 'Secret', metadata: { annotations: { [LAST_APPLIED]: broken } } },
    };
    const annotations = (
      (redactEvent(event, BOTH, marker).requestObject as JsonObject).metadata as JsonObject
    ).annotations as JsonObject;
    expect(annotations[LAST_APPLIED]).toBe(expected(broken));
  });

  it('redacts JSON patch operations by their path', () => {
    const jsonPatch = fixture.events.find((event) => Array.isArray(event.requestObject))!;
    const [operation] = redactEvent(jsonPatch, BOTH, marker).requestObject as JsonObject[];
    expect(operation).toEqual({
      op: 'replace',
      path: '/data/password',
      value: expected(fixture.named.newPassword),
    });
    const whole = {
      ...jsonPatch,
      requestObject: [
        { op: 'add', path: '/data', value: { a: 'c2VjcmV0', b: null } },
        { op: 'add', path: '/stringData/x~1y', value: fixture.named.apiKey },
        { op: 'remove', path: '/data/old' },
      ],
    };
    expect(redactEvent(whole, BOTH, marker).requestObject).toEqual([
      { op: 'add', path: '/data', value: { a: expected(Buffer.from('secret')), b: null } },
      { op: 'add', path: '/stringData/x~1y', value: expected(fixture.named.apiKey) },
      { op: 'remove', path: '/data/old' },
    ]);
  });

  it('redacts SecretList items, Tables of Secrets and bodies that only say kind Secret', () => {
    const list = redactEvent(byVerb('list'), BOTH, marker).responseObject as JsonObject;
    const [item] = list.items as JsonObject[];
    expect(Object.values(item.data as JsonObject).every(isRedactionMarker)).toBe(true);
    const table = {
      kind: 'Table',
      rows: [{ cells: ['db'], object: { kind: 'Secret', data: { url: 'eA==' } } }],
    };
    const tableEvent = { ...byVerb('list'), responseObject: table };
    const rows = (redactEvent(tableEvent, BOTH, marker).responseObject as JsonObject)
      .rows as JsonObject[];
    expect((rows[0].object as JsonObject).data).toEqual({ url: expected(Buffer.from('x')) });
    // No objectRef at all (hostile or truncated): the kind still says Secret.
    const bare = { responseObject: { kind: 'Secret', data: { k: 'eA==' } } };
    expect(redactEvent(bare, BOTH, marker).responseObject).toEqual({
      kind: 'Secret',
      data: { k: expected(Buffer.from('x')) },
    });
  });

  it('redacts the token a TokenRequest issued, and the same JWT elsewhere to the same marker', () => {
    const token = redactEvent(byVerb('create', 'serviceaccounts', 'token'), BOTH, marker);
    const status = (token.responseObject as JsonObject).status as JsonObject;
    expect(status).toEqual({
      token: expected(fixture.named.jwt),
      expirationTimestamp: '2018-10-26T14:19:22Z',
    });
    const exec = redactEvent(byVerb('create', 'pods', 'exec'), BOTH, marker);
    expect(decodeURIComponent(exec.requestURI as string)).toContain(expected(fixture.named.jwt));
  });

  it('redacts exec command arguments and keeps the rest of the URI byte for byte', () => {
    const original = byVerb('create', 'pods', 'exec');
    const uri = redactEvent(original, BOTH, marker).requestURI as string;
    const [path, query] = uri.split('?');
    expect(path).toBe((original.requestURI as string).split('?')[0]);
    expect(
      query.endsWith('&container=nginx1&container=nginx1&stdin=true&stdout=true&tty=true'),
    ).toBe(true);
    const command = new URLSearchParams(query).getAll('command');
    const token = expected(fixture.named.cliToken);
    expect(command).toEqual([
      'sh',
      '-c',
      `curl -H "Authorization: Bearer ${expected(fixture.named.bearer)}" https://api`,
      'kubectl',
      `--token=${token}`,
      '--token',
      token,
      expected(fixture.named.jwt),
    ]);
  });

  it('still reconstructs the exec command, with the markers in place of the tokens', () => {
    const redacted = redactEvent(byVerb('create', 'pods', 'exec'), BOTH, marker);
    const result = toKubectl(normalized(redacted));
    const token = expected(fixture.named.cliToken);
    expect(result.command).toContain('kubectl exec');
    expect(result.command).toContain(`'--token=${token}' --token '${token}'`);
    expect(result.command).toContain(`Bearer ${expected(fixture.named.bearer)}`);
    expect(leaked(result.command ?? '', fixture.values)).toEqual([]);
  });

  it('redacts tokens in container args, env values and headers, not other values', () => {
    const pod = fixture.events.find(
      (event) => (event.requestObject as JsonObject)?.kind === 'Pod',
    )!;
    const spec = (redactEvent(pod, BOTH, marker).requestObject as JsonObject).spec as JsonObject;
    const [container] = spec.containers as JsonObject[];
    expect(container.args).toEqual([
      '--token',
      expected(fixture.named.cliToken),
      `--header=Authorization: Bearer ${expected(fixture.named.bearer)}`,
    ]);
    expect(container.env).toEqual([
      { name: 'SA_TOKEN', value: expected(fixture.named.jwt) },
      { name: 'MODE', value: 'fast' },
    ]);
    expect(container.image).toBe('nginx');
  });

  it('finds pod templates of workloads, CronJobs and custom resources by their shape', () => {
    const container = { name: 'c', command: ['agent', `--token=${fixture.named.cliToken}`] };
    const template = { template: { spec: { containers: [container] } } };
    const bodies = [
      { kind: 'Deployment', spec: template },
      { kind: 'CronJob', spec: { jobTemplate: { spec: template } } },
      { kind: 'Rollout', apiVersion: 'argoproj.io/v1alpha1', spec: template },
      { kind: 'DeploymentList', items: [{ spec: template }] },
    ];
    for (const body of bodies) {
      const event = { objectRef: { resource: 'anything' }, requestObject: body };
      const json = JSON.stringify(redactEvent(event, BOTH, marker));
      expect(json).toContain(`--token=${expected(fixture.named.cliToken)}`);
      expect(json).not.toContain(fixture.named.cliToken);
    }
    const patch = {
      objectRef: { resource: 'deployments', apiGroup: 'apps' },
      requestObject: [
        {
          op: 'add',
          path: '/spec/template/spec/containers/0/env/-',
          value: { name: 'T', value: `Bearer ${fixture.named.bearer}` },
        },
      ],
    };
    expect(JSON.stringify(redactEvent(patch, BOTH, marker))).not.toContain(fixture.named.bearer);
  });

  it('applies each switch alone', () => {
    const all = fixture.events;
    const secretsOnly = JSON.stringify(
      all.map((e) => redactEvent(e, { secrets: true, tokens: false }, marker)),
    );
    const tokensOnly = JSON.stringify(
      all.map((e) => redactEvent(e, { secrets: false, tokens: true }, marker)),
    );
    expect(secretsOnly).not.toContain(fixture.named.password);
    expect(secretsOnly).toContain(fixture.named.cliToken);
    expect(tokensOnly).not.toContain(fixture.named.cliToken);
    expect(tokensOnly).toContain(Buffer.from(fixture.named.password).toString('base64'));
    for (const event of all) {
      expect(redactEvent(event, { secrets: false, tokens: false }, marker)).toBe(event);
    }
  });

  it('is idempotent: markers are never hashed again', () => {
    for (const event of fixture.events) {
      const once = redactEvent(event, BOTH, marker);
      expect(redactEvent(once, BOTH, marker)).toBe(once);
    }
  });

  it('returns every other corpus event as the same object, and leaves ConfigMaps alone', async () => {
    const corpus = await loadCorpus();
    expect(corpus.length).toBeGreaterThan(100);
    for (const { raw } of corpus) expect(redactEvent(raw, BOTH, marker)).toBe(raw);
    const configMap = corpus.find((item) => item.file.includes('configmap_sensitive_values'))!;
    expect(JSON.stringify(configMap.raw)).toMatch(/password|secret|token/i);
  });

  it('does not change the original event', () => {
    const before = JSON.stringify(fixture.events);
    for (const event of fixture.events) redactEvent(event, BOTH, marker);
    expect(JSON.stringify(fixture.events)).toBe(before);
  });

  it('treats hostile shapes as data: __proto__ keys, odd types, deep nesting', () => {
    const data = JSON.parse(`{"__proto__":"${fixture.named.apiKey}","n":5,"z":null}`) as Raw;
    const odd = {
      objectRef: { resource: 'secrets' },
      requestObject: { data, stringData: fixture.named.password },
    };
    const redacted = redactEvent(odd, BOTH, marker).requestObject as Raw;
    const out = redacted.data as Raw;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'n', 'z']);
    expect(out.n).toBe(expected('5'));
    expect(out.z).toBeNull();
    expect(redacted.stringData).toBe(expected(fixture.named.password));
    expect(JSON.stringify(redacted)).not.toContain(fixture.named.apiKey);

    let deep: unknown = `Bearer ${fixture.named.bearer}`;
    for (let i = 0; i < 5000; i++) deep = { x: deep };
    const nested = { requestObject: { spec: { containers: [{ env: deep }] } } };
    expect(JSON.stringify(redactEvent(nested, BOTH, marker))).not.toContain(fixture.named.bearer);
    for (const junk of [null, 'text', 7, [], { requestObject: 'x', requestURI: 5 }]) {
      expect(redactEvent(junk, BOTH, marker)).toBe(junk);
    }
  });

  it('keeps a change of a redacted value visible to the object diff, showing markers', () => {
    const [before, after] = [fixture.events[0], fixture.events[1]].map((event) =>
      stateAfter(normalized(redactEvent(event, BOTH, marker))),
    );
    const changes = diffStates(before, after!, true);
    const password = changes.find((change) => change.path === 'data.password')!;
    expect(password.op).toBe('changed');
    expect(password.before).toBe(JSON.stringify(expected(fixture.named.password)));
    expect(password.after).toBe(JSON.stringify(expected(fixture.named.newPassword)));
    expect(changes.find((change) => change.path === 'data["api-key"]')).toBeUndefined();
  });

  it('shows markers, not <redacted>, through the display redaction', () => {
    const shown = JSON.stringify(
      redactStoredEvent(redactEvent(fixture.events[0], BOTH, marker) as never).value,
    );
    expect(shown).toContain(expected(fixture.named.password));
    expect(leaked(shown, fixture.values)).toEqual([]);
  });
});
