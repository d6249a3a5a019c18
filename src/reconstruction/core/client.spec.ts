import { identifyClient } from './client';

describe('identifyClient', () => {
  it.each([
    ['kubectl/v1.31.0 (linux/amd64) kubernetes/9edcffc', 'kubectl', 'kubectl v1.31'],
    ['kubectl.exe/v1.29.2 (windows/amd64) kubernetes/4b8e819', 'kubectl', 'kubectl.exe v1.29'],
    ['Helm/3.15.2', 'other', 'Helm'],
    [
      'argocd-application-controller/v2.11.0+unknown (linux/amd64)',
      'other',
      'Argo CD application controller',
    ],
    [
      'hyperkube/v1.15.10 (linux/amd64) kubernetes/059c666/system:serviceaccount:kube-system:resourcequota-controller',
      'other',
      'kube-controller-manager (resourcequota-controller)',
    ],
    ['manager/v0.0.0 (linux/amd64) kubernetes/$Format', 'other', 'manager (a client-go program)'],
    ['kubelet/v1.27.4+2c83a9f (linux/amd64) kubernetes/bbf96b6', 'other', 'kubelet'],
    ['curl/8.5.0', 'other', 'curl'],
  ])('names %s', (userAgent, kind, name) => {
    expect(identifyClient(userAgent)).toMatchObject({ kind, name });
  });

  it('falls back to control-plane usernames, and to unknown', () => {
    expect(identifyClient(undefined, 'system:node:minikube')).toEqual({
      kind: 'other',
      name: 'system:node:minikube',
    });
    expect(identifyClient(undefined, 'minikube-user').kind).toBe('unknown');
  });

  it('keeps a hostile user agent short and printable', () => {
    const { name } = identifyClient(`\u001b[31mevil${'x'.repeat(500)}/1.0`);
    expect(name).toMatch(/^\[31mevilx+$/);
    expect(name.length).toBeLessThanOrEqual(80);
  });
});
