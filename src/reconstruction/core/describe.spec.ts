import { describe as sentence } from './describe';
import { makeEvent } from './testing/make-event';

const RBAC_OPS = 'RBAC: allowed by ClusterRoleBinding "ops" of ClusterRole "admin" to User "alice"';

describe('describe', () => {
  it('names who did what to which object, where, and which binding allowed it', () => {
    const event = makeEvent('delete', '/api/v1/namespaces/prod/secrets/db-creds', {
      annotations: {
        'authorization.k8s.io/decision': 'allow',
        'authorization.k8s.io/reason': RBAC_OPS,
      },
    });
    expect(sentence(event, { cluster: 'prod' })).toBe(
      'alice deleted Secret `db-creds` in namespace `prod` (cluster `prod`) - allowed by ClusterRoleBinding `ops`',
    );
  });

  it("names an EKS access policy as such, not as the ClusterRoleBinding its reason's wording claims", () => {
    const event = makeEvent('get', '/api/v1/namespaces/prod/secrets/db-creds', {
      annotations: {
        'authorization.k8s.io/decision': 'allow',
        'authorization.k8s.io/reason':
          'EKS Access Policy: allowed by ClusterRoleBinding "arn:aws:iam::111122223333:role/eks-admins+arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy" of ClusterRole "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy" to User "alice"',
      },
    });
    expect(sentence(event)).toBe(
      'alice read Secret `db-creds` in namespace `prod` - allowed by EKS access policy `AmazonEKSClusterAdminPolicy`',
    );
  });

  it('describes exec with the command and container', () => {
    const event = makeEvent(
      'get',
      '/api/v1/namespaces/web/pods/web-1/exec?command=sh&command=-c&command=id&container=app&stdout=true',
      {
        user: { username: 'bob' },
      },
    );
    expect(sentence(event)).toBe(
      'bob ran `sh -c id` in container `app` of Pod `web-1` in namespace `web`',
    );
  });

  it('says a credential in the command was hidden', () => {
    const event = makeEvent(
      'get',
      '/api/v1/namespaces/db/pods/db-0/exec?command=mysql&command=-psecret&container=db&stdout=true',
    );
    const text = sentence(event);
    expect(text).toBe(
      "alice ran `mysql '-p<redacted>'` in container `db` of Pod `db-0` in namespace `db` (a secret value was hidden)",
    );
  });

  it('reports a 401 for an unauthenticated client', () => {
    const event = makeEvent('list', '/api/v1/secrets', {
      user: {},
      stage: 'ResponseStarted',
      responseStatus: { code: 401, message: 'Authentication failed' },
    });
    expect(sentence(event)).toBe(
      'an unauthenticated client was refused (401) listing Secrets in all namespaces',
    );
  });

  it('reports a 403 with the reason, and impersonation', () => {
    const event = makeEvent('list', '/api/v1/namespaces/default/pods', {
      user: { username: 'carol' },
      impersonatedUser: { username: 'dave' },
      responseStatus: {
        code: 403,
        reason: 'Forbidden',
        message: 'pods is forbidden: User "dave" cannot list resource "pods"',
      },
    });
    expect(sentence(event)).toBe(
      'carol, acting as dave, was denied (403) listing Pods in namespace `default`: pods is forbidden: User "dave" cannot list resource "pods"',
    );
  });

  it('reports other failures with code, reason and message', () => {
    const event = makeEvent('create', '/api/v1/namespaces/kube-system/configmaps', {
      objectRef: {
        resource: 'configmaps',
        namespace: 'kube-system',
        name: 'coredns-custom',
        apiVersion: 'v1',
      },
      responseStatus: {
        code: 409,
        reason: 'AlreadyExists',
        message: 'configmaps "coredns-custom" already exists',
      },
    });
    expect(sentence(event)).toBe(
      'alice tried creating ConfigMap `coredns-custom` in namespace `kube-system` but got 409 AlreadyExists: configmaps "coredns-custom" already exists',
    );
  });

  it('says previewed for a server dry run', () => {
    const event = makeEvent(
      'patch',
      '/apis/apps/v1/namespaces/shop/deployments/web/scale?dryRun=All',
      { body: { spec: { replicas: 5 } } },
    );
    expect(sentence(event)).toBe(
      'alice previewed scaling Deployment `web` to 5 replicas in namespace `shop` (server dry run, nothing changed)',
    );
  });

  it('describes non-resource requests by method and path', () => {
    expect(sentence(makeEvent('get', '/healthz?verbose=1'))).toBe('alice called GET `/healthz`');
  });

  it('says when Secret values were hidden, and never prints them', () => {
    const event = makeEvent('create', '/api/v1/namespaces/dev/secrets', {
      body: { kind: 'Secret', metadata: { name: 'db' }, data: { password: 'aHVudGVyMg==' } },
    });
    const text = sentence(event);
    expect(text).toBe('alice created Secret `db` in namespace `dev` (a secret value was hidden)');
  });

  it('marks a request that has not completed yet', () => {
    const event = makeEvent(
      'get',
      '/api/v1/namespaces/shop/pods/web-1/log?follow=true&container=app',
      { stage: 'RequestReceived', responseStatus: undefined },
    );
    expect(sentence(event)).toBe(
      'alice started following the logs of container `app` of Pod `web-1` in namespace `shop`',
    );
  });

  it('strips backticks and control characters from names', () => {
    const event = makeEvent('get', '/api/v1/namespaces/x/configmaps/a%60b%0Ac');
    expect(sentence(event)).toBe("alice read ConfigMap `a'b c` in namespace `x`");
  });
});

describe('describe, named after the kubectl command', () => {
  it.each([
    ['patch', '/api/v1/nodes/n1', { spec: { unschedulable: true } }, 'alice cordoned Node `n1`'],
    ['patch', '/api/v1/nodes/n1', { spec: { unschedulable: null } }, 'alice uncordoned Node `n1`'],
    [
      'patch',
      '/apis/apps/v1/namespaces/a/deployments/web?fieldManager=kubectl-rollout',
      {
        spec: {
          template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 't' } } },
        },
      },
      'alice restarted Deployment `web` in namespace `a`',
    ],
    [
      'patch',
      '/api/v1/namespaces/a/pods/p?fieldManager=kubectl-label',
      { metadata: { labels: { x: 'y' } } },
      'alice changed the labels of Pod `p` in namespace `a`',
    ],
    [
      'patch',
      '/api/v1/namespaces/a/configmaps/c?fieldManager=kubectl&force=false',
      { kind: 'ConfigMap' },
      'alice applied ConfigMap `c` in namespace `a`',
    ],
    [
      'update',
      '/api/v1/namespaces/a/configmaps/c?fieldManager=kubectl-replace',
      { kind: 'ConfigMap' },
      'alice replaced ConfigMap `c` in namespace `a`',
    ],
    [
      'patch',
      '/api/v1/namespaces/a/configmaps/c?fieldManager=helm',
      { data: {} },
      'alice patched ConfigMap `c` in namespace `a`',
    ],
  ])('%s %s', (verb, uri, body, expected) => {
    expect(sentence(makeEvent(verb, uri, { body }))).toBe(expected);
  });
});

describe('describe, collections', () => {
  it('names the one object a metadata.name selector picks', () => {
    const event = makeEvent(
      'watch',
      '/api/v1/namespaces/a/configmaps?fieldSelector=metadata.name%3Dcfg&watch=true',
    );
    expect(sentence(event)).toBe('alice watched ConfigMap `cfg` in namespace `a`');
  });

  it('says applied for an old client-side apply without fieldManager', () => {
    const body = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
    };
    expect(sentence(makeEvent('patch', '/api/v1/namespaces/a/configmaps/c', { body }))).toBe(
      'alice applied ConfigMap `c` in namespace `a`',
    );
  });

  // Issue 11: converted formats drop the exec query; "ran `` in Pod" showed an empty value.
  it('says an exec command was not recorded rather than showing it empty', () => {
    const event = makeEvent('create', '/api/v1/namespaces/web/pods/web-1/exec');
    expect(sentence(event)).toBe(
      'alice ran a command (not recorded) in Pod `web-1` in namespace `web`',
    );
  });

  it.each([
    [
      'an exec without a command',
      makeEvent('create', '/api/v1/namespaces/a/pods/p/exec?stdout=true'),
    ],
    ['a non-resource call without a URL', makeEvent('get', '', { objectRef: undefined })],
    ['a verb without printable letters', makeEvent('###', '/api/v1/namespaces/a/pods/p')],
    [
      'an RBAC reason with an empty binding name',
      makeEvent('get', '/api/v1/namespaces/a/pods/p', {
        annotations: {
          'authorization.k8s.io/reason': 'RBAC: allowed by RoleBinding "" of Role "r"',
        },
      }),
    ],
    ['an empty namespace and name', makeEvent('get', '/api/v1/namespaces//pods/')],
    [
      'an exec with an empty container',
      makeEvent('create', '/api/v1/namespaces/a/pods/p/exec?command=sh&container='),
    ],
  ])('never shows an empty value: %s', (_, event) => {
    const text = sentence(event);
    expect(text).not.toContain('``');
    expect(text).not.toMatch(/ {2}|\( |undefined|null/);
  });
});
