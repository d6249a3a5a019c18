/**
 * Audit events for the console's browser tests, shaped as kube-apiservers write them and sent
 * through the real webhook. Times are relative to the test run so default ranges include them.
 */
type RawEvent = Record<string, unknown>;

let sequence = 0;

const EXEC_BOB = {
  auditID: 'exec-bob-1',
  verb: 'get',
  user: { username: 'bob', groups: ['ops'] },
  requestURI:
    '/api/v1/namespaces/shop/pods/web-0/exec?command=sh&command=-c&command=cat+%2Fetc%2Fpasswd&container=web&stdin=true&stdout=true&tty=true',
  objectRef: {
    resource: 'pods',
    subresource: 'exec',
    namespace: 'shop',
    name: 'web-0',
    apiVersion: 'v1',
  },
  responseStatus: { metadata: {}, code: 101 },
};

export function secondsAgo(seconds: number): string {
  return new Date(Date.now() - seconds * 1000).toISOString().replace('Z', '000Z');
}

/** A complete event; `overrides` replaces top-level fields. */
export function auditEvent(overrides: RawEvent & { ageSeconds?: number } = {}): RawEvent {
  const { ageSeconds = 60, ...rest } = overrides;
  sequence += 1;
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `console-test-${sequence}-${Date.now()}`,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/default/configmaps/settings',
    verb: 'get',
    user: { username: 'filler', groups: ['system:authenticated'] },
    sourceIPs: ['10.0.0.7'],
    userAgent: 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc1234',
    objectRef: { resource: 'configmaps', namespace: 'default', name: 'settings', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: secondsAgo(ageSeconds),
    stageTimestamp: secondsAgo(ageSeconds - 0.01),
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
    ...rest,
  };
}

function deployment(replicas: number): RawEvent {
  return {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
    spec: { replicas, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
  };
}

const webRef = {
  resource: 'deployments',
  apiGroup: 'apps',
  apiVersion: 'v1',
  namespace: 'shop',
  name: 'web',
};

/** A day in the life of two clusters: writes with bodies, a session, a Secret read, denials. */
export function storyEvents(): RawEvent[] {
  return [
    auditEvent({
      ageSeconds: 900,
      level: 'RequestResponse',
      verb: 'create',
      user: { username: 'alice', groups: ['devs', 'system:authenticated'] },
      requestURI: '/apis/apps/v1/namespaces/shop/deployments?fieldManager=kubectl-create',
      objectRef: webRef,
      requestObject: deployment(1),
      responseObject: deployment(1),
      responseStatus: { metadata: {}, code: 201 },
    }),
    auditEvent({
      ageSeconds: 600,
      level: 'RequestResponse',
      verb: 'patch',
      user: { username: 'alice', groups: ['devs', 'system:authenticated'] },
      requestURI: '/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=kubectl-patch',
      objectRef: webRef,
      requestObject: { spec: { replicas: 3 } },
      responseObject: deployment(3),
      responseStatus: { metadata: {}, code: 200 },
    }),
    auditEvent({
      ageSeconds: 500,
      verb: 'get',
      user: { username: 'alice' },
      requestURI: '/apis/apps/v1/namespaces/shop/deployments/web',
      objectRef: webRef,
    }),
    // The two stages of one exec request.
    auditEvent({ ageSeconds: 400, stage: 'ResponseStarted', ...EXEC_BOB }),
    auditEvent({ ageSeconds: 340, ...EXEC_BOB }),
    auditEvent({
      ageSeconds: 300,
      verb: 'get',
      user: { username: 'carol' },
      requestURI: '/api/v1/namespaces/shop/secrets/db-creds',
      objectRef: { resource: 'secrets', namespace: 'shop', name: 'db-creds', apiVersion: 'v1' },
    }),
    auditEvent({
      ageSeconds: 200,
      verb: 'delete',
      user: { username: 'mallory', groups: ['system:authenticated'] },
      requestURI: '/api/v1/namespaces/kube-system',
      objectRef: { resource: 'namespaces', name: 'kube-system', apiVersion: 'v1' },
      responseStatus: { metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403 },
      annotations: {
        'authorization.k8s.io/decision': 'forbid',
        'authorization.k8s.io/reason': 'no RBAC policy matched',
      },
    }),
    auditEvent({
      ageSeconds: 150,
      verb: 'list',
      user: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
      requestURI: '/api/v1/secrets',
      objectRef: { resource: 'secrets', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 401 },
    }),
    auditEvent({
      ageSeconds: 100,
      verb: 'create',
      user: { username: 'ci-bot' },
      requestURI: '/api/v1/namespaces/shop/pods',
      objectRef: { resource: 'pods', namespace: 'shop', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 500 },
      annotations: {
        'authorization.k8s.io/decision': 'allow',
        'pod-security.kubernetes.io/enforce-policy': 'restricted:latest',
        'pod-security.kubernetes.io/audit-violations':
          'would violate PodSecurity "restricted:latest"',
        'mutation.webhook.admission.k8s.io/round_0_index_0': '{"mutated":true}',
      },
    }),
  ];
}

/** `count` uninteresting reads, older than the story, to fill more than one page of rows. */
export function fillerEvents(count: number): RawEvent[] {
  return Array.from({ length: count }, (_, i) => auditEvent({ ageSeconds: 1200 + i }));
}

/** Text that would run, alert or load something if the console ever printed it as HTML. */
export const HOSTILE = {
  user: '<img src=x onerror="alert(\'user\')">',
  name: '<script>window.__xss = "name"</script>',
  userAgent: '"><svg onload="alert(\'ua\')"><img src="https://evil.example/ua.png">',
  annotation: '<iframe src="https://evil.example/"></iframe><b onmouseover=alert(1)>x</b>',
  execArgument: '<script>alert("exec")</script>',
};

/** Events whose user, name, user agent, annotations, groups and exec arguments are hostile. */
export function hostileEvents(): RawEvent[] {
  return [
    auditEvent({
      ageSeconds: 80,
      level: 'RequestResponse',
      verb: 'create',
      user: {
        username: HOSTILE.user,
        groups: [HOSTILE.name],
        extra: { reason: [HOSTILE.annotation] },
      },
      userAgent: HOSTILE.userAgent,
      requestURI: '/api/v1/namespaces/shop/configmaps',
      objectRef: {
        resource: 'configmaps',
        namespace: 'shop',
        name: HOSTILE.name,
        apiVersion: 'v1',
      },
      requestObject: {
        kind: 'ConfigMap',
        metadata: { name: HOSTILE.name },
        data: { html: HOSTILE.annotation },
      },
      responseStatus: { metadata: {}, code: 201 },
      annotations: {
        'authorization.k8s.io/decision': 'allow',
        'example.com/note': HOSTILE.annotation,
      },
    }),
    auditEvent({
      ageSeconds: 70,
      stage: 'ResponseStarted',
      verb: 'create',
      user: { username: HOSTILE.user },
      userAgent: HOSTILE.userAgent,
      requestURI: `/api/v1/namespaces/shop/pods/web-0/exec?command=sh&command=-c&command=${encodeURIComponent(HOSTILE.execArgument)}&container=web&stdout=true`,
      objectRef: {
        resource: 'pods',
        subresource: 'exec',
        namespace: 'shop',
        name: 'web-0',
        apiVersion: 'v1',
      },
      responseStatus: { metadata: {}, code: 101 },
    }),
  ];
}

export async function postEvents(
  baseUrl: string,
  cluster: string,
  items: RawEvent[],
): Promise<void> {
  const response = await fetch(`${baseUrl}/webhook/audit/${cluster}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items }),
  });
  const body = (await response.json()) as { accepted: number; rejected: number };
  if (response.status !== 200 || body.rejected > 0 || body.accepted !== items.length) {
    throw new Error(`webhook answered ${response.status} ${JSON.stringify(body)}`);
  }
}
