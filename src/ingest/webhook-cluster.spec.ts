import { resolveCluster } from './webhook-cluster';

describe('resolveCluster', () => {
  it.each([
    ['/webhook/audit/prod', 'prod'],
    ['/webhook/audit/prod/?timeout=30s', 'prod'],
    ['/webhook/audit?cluster=dev-2&timeout=30s', 'dev-2'],
    ['/webhook/audit', 'default'],
    ['/webhook/audit?cluster=', 'default'],
    ['/webhook/audit/a?cluster=b', 'a'],
  ])('%s -> %s', (url, cluster) => {
    expect(resolveCluster(url)).toEqual({ ok: true, cluster });
  });

  it.each([
    '/webhook/audit/Prod',
    '/webhook/audit/-x',
    '/webhook/audit/a%2Fb',
    `/webhook/audit/${'a'.repeat(64)}`,
    '/webhook/audit?cluster=a.b',
  ])('refuses %s', (url) => {
    const result = resolveCluster(url);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/^cluster name .* is invalid/);
  });
});
