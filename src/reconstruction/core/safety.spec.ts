import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '../../domain/audit-event';
import { describe as sentence } from './describe';
import { makeEvent } from './testing/make-event';
import { toKubectl } from './to-kubectl';

/**
 * Every command is run by a real bash, with `kubectl` defined as a function that prints its
 * arguments: a hostile value that escaped its quotes would create the canary file.
 */
const dir = mkdtempSync(join(tmpdir(), 'recon-safety-'));
const canary = join(dir, 'pwned');
const payloads = [
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  `'; touch ${canary}; '`,
  `"; touch ${canary}; "`,
  `x\ntouch ${canary}\n`,
  `EOF\ntouch ${canary}\nEOF`,
];
const enc = encodeURIComponent;

function hostileEvents(p: string): AuditEvent[] {
  const name = `a${p}`;
  return [
    makeEvent(
      'get',
      `/api/v1/namespaces/${enc(p)}/pods/${enc(name)}/exec?command=sh&command=-c&command=${enc(p)}&container=${enc(p)}&stdout=true`,
    ),
    makeEvent(
      'get',
      `/api/v1/namespaces/default/pods/${enc(name)}/log?container=${enc(p)}&sinceTime=${enc(p)}`,
    ),
    makeEvent(
      'list',
      `/api/v1/namespaces/default/pods?labelSelector=${enc(p)}&fieldSelector=${enc(p)}`,
    ),
    makeEvent('watch', `/api/v1/pods?fieldSelector=metadata.name%3D${enc(p)}&watch=true`),
    makeEvent('get', `/healthz/${enc(p)}`),
    makeEvent('delete', `/api/v1/namespaces/default/configmaps/${enc(name)}`, {
      body: { propagationPolicy: p },
    }),
    makeEvent('patch', `/api/v1/namespaces/default/pods/x?fieldManager=kubectl-label`, {
      body: { metadata: { labels: { [p]: p } } },
    }),
    makeEvent('patch', `/api/v1/namespaces/default/pods/x?fieldManager=${enc(p)}`, {
      body: { spec: { [p]: p } },
    }),
    makeEvent(
      'create',
      '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&fieldValidation=Strict',
      {
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, labels: { a: 'b' } },
          data: { [p]: p },
        },
      },
    ),
    makeEvent(
      'create',
      '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&fieldValidation=Strict',
      {
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: p } },
      },
    ),
    makeEvent('create', '/api/v1/namespaces/default/pods/x/binding', {
      body: { target: { name: p } },
    }),
    makeEvent('patch', `/api/v1/nodes/${enc(name)}?fieldManager=kubectl-taint`, {
      body: { spec: { taints: [{ key: p, value: p, effect: p }] } },
    }),
    makeEvent('create', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: { spec: { resourceAttributes: { verb: p, resource: p, namespace: p } } },
    }),
    makeEvent('list', '/api/v1/pods', { impersonatedUser: { username: p, groups: [p], uid: p } }),
    makeEvent('options', `/x/${enc(p)}`),
    // A body that is a bare string becomes an unindented YAML block: only the delimiter guards it.
    makeEvent('deletecollection', '/api/v1/namespaces/default/pods', { body: p }),
  ];
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shell safety', () => {
  it.each(payloads)('no hostile value runs anything: %j', (payload) => {
    for (const event of hostileEvents(payload)) {
      const { command } = toKubectl(event);
      const script = `kubectl() { cat >/dev/null; printf '%s\\0' "$@"; }\n${command}\n`;
      const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', input: '' });
      expect({ command, canary: existsSync(canary) }).toEqual({ command, canary: false });
      expect(result.status).toBe(0);
      expect(sentence(event)).not.toMatch(/[\n\r]/);
      expect(sentence(event)).not.toContain(String.fromCharCode(27));
    }
  });
});

describe('secrets never reach the output', () => {
  const value = 'c3VwZXItc2VjcmV0LXZhbHVl';
  const lastApplied = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's' },
    data: { k: value },
  });
  const events = [
    makeEvent(
      'create',
      '/api/v1/namespaces/d/secrets?fieldManager=kubectl-create&fieldValidation=Strict',
      { body: { kind: 'Secret', metadata: { name: 's', labels: { a: 'b' } }, data: { k: value } } },
    ),
    makeEvent(
      'create',
      '/api/v1/namespaces/d/secrets?fieldManager=kubectl-client-side-apply&fieldValidation=Strict',
      {
        body: {
          kind: 'Secret',
          metadata: {
            name: 's',
            annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied },
          },
          stringData: { k: value },
        },
      },
    ),
    makeEvent('patch', '/api/v1/namespaces/d/secrets/s?fieldManager=kubectl-patch', {
      body: { data: { k: value } },
    }),
    makeEvent('patch', '/api/v1/namespaces/d/secrets/s?fieldManager=kubectl&force=false', {
      body: { kind: 'Secret', apiVersion: 'v1', stringData: { k: value } },
    }),
    makeEvent('update', '/api/v1/namespaces/d/secrets/s?fieldManager=kubectl-replace', {
      body: { kind: 'Secret', data: { k: value } },
    }),
    makeEvent('create', '/api/v1/namespaces/d/serviceaccounts/sa/token', {
      body: { spec: {} },
      responseObject: { status: { token: value } },
    }),
    makeEvent('create', '/api/v1/namespaces/d/secrets/s/extra', {
      body: { kind: 'Secret', data: { k: value } },
    }),
    makeEvent(
      'get',
      `/api/v1/namespaces/d/pods/p/exec?command=env&command=TOKEN%3D${value}&container=c&stdout=true`,
    ),
  ];

  it.each(events.map((e) => [e.requestURI, e]))('hides the value in %s', (_uri, event) => {
    const result = toKubectl(event as AuditEvent);
    expect(JSON.stringify(result)).not.toContain(value);
    expect(sentence(event as AuditEvent)).not.toContain(value);
    expect(
      result.fidelity === 'partial' || result.notes.some((n) => n.includes('never shown')),
    ).toBe(true);
  });
});

describe('notes', () => {
  it('stay printable and bounded whatever the event holds', () => {
    const name = `x\u001b[2J\n${'y'.repeat(10_000)}`;
    const event = makeEvent(
      'create',
      `/api/v1/namespaces/d/pods/${encodeURIComponent(name)}/eviction`,
      {
        body: { deleteOptions: {} },
        level: 'Request\n\u0007',
      },
    );
    for (const note of toKubectl(event).notes) {
      expect(note.length).toBeLessThanOrEqual(2503);
      expect([...note].every((c) => c >= ' ')).toBe(true);
    }
  });
});
