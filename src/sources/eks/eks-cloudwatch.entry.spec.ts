import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  EksCloudWatchEntry,
  eksCloudWatchSource,
  eksSettings,
  parseEksCheckpoint,
} from './eks-cloudwatch.source';

const context = { env: {}, log: () => undefined, now: () => 0 };

function problems(raw: Record<string, unknown>): Record<string, string[]> {
  const entry = plainToInstance(EksCloudWatchEntry, raw);
  const out: Record<string, string[]> = {};
  for (const e of validateSync(entry, { whitelist: true, forbidNonWhitelisted: true })) {
    out[e.property] = Object.values(e.constraints ?? {});
  }
  for (const p of eksCloudWatchSource.check?.(entry, context) ?? []) (out.check ??= []).push(p);
  return out;
}

const minimal = { name: 'prod-eks', kind: 'eks-cloudwatch', cluster: 'prod', region: 'eu-west-1' };

describe('eks-cloudwatch entry', () => {
  it('needs name, kind, cluster and region; the rest has defaults', () => {
    expect(problems(minimal)).toEqual({});
    expect(eksSettings(plainToInstance(EksCloudWatchEntry, minimal))).toEqual({
      name: 'prod-eks',
      cluster: 'prod',
      region: 'eu-west-1',
      logGroupName: '/aws/eks/prod/cluster',
      logStreamNamePrefix: 'kube-apiserver-audit',
      endpoint: undefined,
      startFrom: 'now',
      pollMs: 10_000,
      settleMs: 120_000,
    });
    expect(Object.keys(problems({ name: 'x', kind: 'eks-cloudwatch' })).sort()).toEqual([
      'cluster',
      'region',
    ]);
    expect(Object.keys(problems({ ...minimal, kind: 'aks-blob' }))).toEqual(['kind']);
  });

  it('checks every optional field and refuses unknown ones', () => {
    expect(
      problems({
        ...minimal,
        logGroupName: '/aws/eks/prod/cluster',
        logStreamNamePrefix: 'kube-apiserver-audit-',
        endpoint: 'https://logs.eu-west-1.amazonaws.com',
        startFrom: '2026-11-30T10:00:00.5+01:00',
        pollSeconds: 5,
        settleSeconds: 0,
      }),
    ).toEqual({});
    expect(
      Object.keys(
        problems({
          ...minimal,
          region: 'Europe',
          logGroupName: 'bad group name',
          logStreamNamePrefix: 'kube*',
          endpoint: 'ftp://x',
          startFrom: 'yesterday',
          pollSeconds: 0,
          settleSeconds: 1.5,
          filterPattern: 'x',
        }),
      ).sort(),
    ).toEqual([
      'endpoint',
      'filterPattern',
      'logGroupName',
      'logStreamNamePrefix',
      'pollSeconds',
      'region',
      'settleSeconds',
      'startFrom',
    ]);
    expect(problems({ ...minimal, startFrom: '2026-02-30T10:00:00Z' })).toEqual({
      check: ['startFrom: not a valid time'],
    });
  });

  it('wants both AWS key variables or neither', () => {
    const entry = plainToInstance(EksCloudWatchEntry, minimal);
    const env = { AWS_ACCESS_KEY_ID: 'AKIA' };
    expect(eksCloudWatchSource.check?.(entry, { ...context, env })).toEqual([
      expect.stringMatching(/must be set together/),
    ]);
  });

  it('starts from an ISO time, the beginning, or now', () => {
    const at = (startFrom: string) =>
      eksSettings(plainToInstance(EksCloudWatchEntry, { ...minimal, startFrom })).startFrom;
    expect(at('2026-11-30T10:00:00Z')).toBe(Date.parse('2026-11-30T10:00:00Z'));
    expect(at('beginning')).toBe('beginning');
  });

  it('parses only checkpoints it writes', () => {
    expect(parseEksCheckpoint('{"v":1,"from":5}')).toEqual({ v: 1, from: 5 });
    expect(parseEksCheckpoint('{"v":1,"from":5,"to":9,"token":"t"}')).toEqual({
      v: 1,
      from: 5,
      to: 9,
      token: 't',
    });
    for (const bad of [
      'x',
      '[]',
      '{"v":1,"from":-1}',
      '{"v":1,"from":1.5}',
      '{"v":1,"from":1,"to":2,"token":3}',
    ]) {
      expect(typeof parseEksCheckpoint(bad)).toBe('string');
    }
    expect(typeof parseEksCheckpoint('"' + 'x'.repeat(9000) + '"')).toBe('string');
  });
});
