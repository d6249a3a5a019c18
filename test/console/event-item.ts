import type { EventItem } from '../../src/audit/audit-query';

/** An API item with plausible values; tests override what they are about. */
export function eventItem(overrides: Partial<EventItem> = {}): EventItem {
  return {
    id: '0193a1b2-0000-7000-8000-000000000001',
    cluster: 'prod',
    auditID: 'a-1',
    stage: 'ResponseComplete',
    level: 'Metadata',
    verb: 'get',
    username: 'alice',
    groups: ['system:authenticated'],
    impersonatedUser: null,
    sourceIPs: ['10.0.0.1'],
    userAgent: 'kubectl/v1.32.0',
    apiGroup: '',
    apiVersion: 'v1',
    resource: 'pods',
    subresource: '',
    namespace: 'default',
    name: 'web-0',
    responseCode: 200,
    decision: 'allow',
    requestReceivedTimestamp: '2026-11-25T10:00:00.000001Z',
    stageTimestamp: '2026-11-25T10:00:00.000002Z',
    requestURI: '/api/v1/namespaces/default/pods/web-0',
    summary: 'alice read Pod `web-0`',
    kubectl: { command: 'kubectl get pod web-0', fidelity: 'exact', notes: [] },
    detections: [],
    ...overrides,
  };
}
