import { isClusterScoped, kindOf, pluralKind, resourceType } from './kinds';

describe('kinds', () => {
  it('maps plurals to kinds from the table, and guesses the rest', () => {
    expect(['pods', 'clusterrolebindings', 'networkpolicies', 'endpoints'].map(kindOf)).toEqual([
      'Pod',
      'ClusterRoleBinding',
      'NetworkPolicy',
      'Endpoints',
    ]);
    expect(['widgets', 'proxies', 'gateways', 'boxes', ''].map(kindOf)).toEqual([
      'Widget',
      'Proxy',
      'Gateway',
      'Box',
      'object',
    ]);
  });

  it('pluralizes kinds for sentences', () => {
    expect(['Pod', 'NetworkPolicy', 'Ingress', 'Endpoints', 'Gateway'].map(pluralKind)).toEqual([
      'Pods',
      'NetworkPolicies',
      'Ingresses',
      'Endpoints',
      'Gateways',
    ]);
  });

  it('names a resource as kubectl resolves it', () => {
    expect(resourceType('deployments', 'apps', 'v1')).toBe('deployments');
    expect(resourceType('deployments', 'extensions', 'v1beta1')).toBe(
      'deployments.v1beta1.extensions',
    );
    expect(resourceType('horizontalpodautoscalers', 'autoscaling', 'v1')).toBe(
      'horizontalpodautoscalers.v1.autoscaling',
    );
    expect(resourceType('certificates', 'cert-manager.io', 'v1')).toBe(
      'certificates.v1.cert-manager.io',
    );
  });

  it('knows which built-ins are cluster-scoped', () => {
    expect(isClusterScoped('nodes', '')).toBe(true);
    expect(isClusterScoped('pods', '')).toBe(false);
    expect(isClusterScoped('clusterroles', 'rbac.authorization.k8s.io')).toBe(true);
  });
});
