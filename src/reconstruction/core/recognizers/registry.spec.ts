import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEvent } from '../../../domain/audit-event';
import { makeEvent } from '../testing/make-event';
import { RECOGNIZERS, recognizersFor } from './registry';

const SAMPLES: AuditEvent[] = [
  makeEvent('get', '/healthz'),
  makeEvent('get', '/api/v1/namespaces/a/pods/p/exec?command=ls&container=c&stdout=true'),
  makeEvent('create', '/api/v1/namespaces/a/pods/p/eviction', { body: {} }),
  makeEvent('patch', '/api/v1/nodes/n', { body: { spec: { unschedulable: true } } }),
  makeEvent('patch', '/apis/apps/v1/namespaces/a/deployments/d?fieldManager=kubectl-set', {
    body: {},
  }),
  makeEvent('update', '/apis/apps/v1/namespaces/a/deployments/d/scale', {
    body: { spec: { replicas: 1 } },
  }),
  makeEvent('deletecollection', '/api/v1/namespaces/a/pods'),
  makeEvent('list', '/api/v1/namespaces/a/events?fieldSelector=involvedObject.name%3Dp'),
  makeEvent('watch', '/api/v1/pods?watch=true'),
  makeEvent('proxy', '/api/v1/namespaces/a/services/s:80/proxy/'),
  makeEvent('escalate', '/apis/rbac.authorization.k8s.io/v1/clusterroles/x'),
];

describe('recognizer registry', () => {
  it('has unique names, one source file and one spec per recognizer, and ends with the fallback', () => {
    const names = RECOGNIZERS.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect({
        name,
        source: existsSync(join(__dirname, `${name}.ts`)),
        spec: existsSync(join(__dirname, `${name}.spec.ts`)),
      }).toEqual({ name, source: true, spec: true });
    }
    expect(names[names.length - 1]).toBe('raw-fallback');
  });

  it('picks by verb the same recognizer a full scan picks', () => {
    for (const event of SAMPLES) {
      const full = RECOGNIZERS.find((r) => r.matches(event))?.name;
      const indexed = recognizersFor(event.verb).find((r) => r.matches(event))?.name;
      expect({ uri: event.requestURI, indexed }).toEqual({ uri: event.requestURI, indexed: full });
    }
  });

  it('never lets a recognizer match a verb it did not declare', () => {
    for (const event of SAMPLES) {
      for (const recognizer of RECOGNIZERS) {
        if (recognizer.verbs && recognizer.matches(event))
          expect(recognizer.verbs).toContain(event.verb);
      }
    }
  });
});
