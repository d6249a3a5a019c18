import type { ClusterVisibility } from '../auth/identity';
import type { AccessObservation, ImpersonatedIdentity } from './rbac-observation';
import { MAX_ACCESS_SHAPES, MAX_IMPERSONATIONS, RbacReader } from './rbac-reader.repository';
import { ClusterChoiceRequired, RbacService, TooManyAccessShapes } from './rbac.service';

const T0 = Date.parse('2026-11-21T08:00:00.000Z');
const ID = '019aa5b0-4c00-7000-8000-000000000001';
const seen = { requests: 2, firstEventId: ID, lastEventId: ID, firstSeenMs: T0, lastSeenMs: T0 };
const listPods: AccessObservation = {
  verb: 'list',
  apiGroup: '',
  resource: 'pods',
  subresource: '',
  namespace: 'shop',
  path: '',
  ...seen,
};
const asBob: ImpersonatedIdentity = { username: 'bob', groups: [], extra: {}, ...seen };

class FakeReader implements RbacReader {
  calls: string[] = [];
  constructor(
    private readonly found: {
      clusters?: string[];
      access?: AccessObservation[];
      impersonation?: ImpersonatedIdentity[];
    },
  ) {}
  clusters(_v: ClusterVisibility) {
    this.calls.push('clusters');
    return Promise.resolve(this.found.clusters ?? []);
  }
  access(_v: ClusterVisibility, range: { cluster: string }, limit: number) {
    this.calls.push(`access ${range.cluster} ${limit}`);
    return Promise.resolve(this.found.access ?? []);
  }
  impersonation(_v: ClusterVisibility, range: { cluster: string }, limit: number) {
    this.calls.push(`impersonation ${range.cluster} ${limit}`);
    return Promise.resolve(this.found.impersonation ?? []);
  }
}

const ALL: ClusterVisibility = { all: true };
const range = { fromMs: T0, toMs: T0 + 86_400_000 };

describe('RbacService', () => {
  it('takes the only cluster the identity used, and asks when there are several', async () => {
    const one = new FakeReader({ clusters: ['prod'], access: [listPods] });
    const answer = await new RbacService(one).suggest(ALL, 'dana', range);
    expect(answer.cluster).toBe('prod');
    expect(one.calls).toEqual([
      'clusters',
      `access prod ${MAX_ACCESS_SHAPES + 1}`,
      `impersonation prod ${MAX_IMPERSONATIONS + 1}`,
    ]);
    const several = new RbacService(new FakeReader({ clusters: ['a', 'b'] }));
    await expect(several.suggest(ALL, 'dana', range)).rejects.toBeInstanceOf(ClusterChoiceRequired);
  });

  it('reads nothing for a cluster the caller may not see', async () => {
    const reader = new FakeReader({ access: [listPods] });
    const answer = await new RbacService(reader).suggest(
      { all: false, clusters: ['dev'] },
      'dana',
      { ...range, cluster: 'prod' },
    );
    expect(reader.calls).toEqual([]);
    expect(answer).toMatchObject({ cluster: null, objects: [], yaml: '', rules: [] });
  });

  it('counts requests once, impersonations included, and refuses unbounded answers', async () => {
    const reader = new FakeReader({ access: [listPods], impersonation: [asBob] });
    const answer = await new RbacService(reader).suggest(ALL, 'dana', { ...range, cluster: 'c' });
    expect(answer.requests).toBe(4);
    expect(answer.yaml).toContain('kind: Role\n');
    const tooMany = new FakeReader({
      access: Array.from({ length: MAX_ACCESS_SHAPES + 1 }, () => listPods),
    });
    await expect(
      new RbacService(tooMany).suggest(ALL, 'dana', { ...range, cluster: 'c' }),
    ).rejects.toBeInstanceOf(TooManyAccessShapes);
  });
});
