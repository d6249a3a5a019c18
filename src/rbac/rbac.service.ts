import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { canSee, ClusterVisibility } from '../auth/identity';
import { generateRbac, RbacObject, RuleEvidence, toYaml } from './rbac-generator';
import { impersonationChecks } from './rbac-observation';
import {
  MAX_ACCESS_SHAPES,
  MAX_IMPERSONATIONS,
  RBAC_READER,
  RbacReader,
} from './rbac-reader.repository';

/** The answer of GET /api/v1/users/:username/rbac. */
export interface RbacAnswer {
  username: string;
  /** The cluster the rules come from; null when the identity made no request anyone here sees. */
  cluster: string | null;
  /** RFC 3339, inclusive. */
  from: string;
  /** RFC 3339, exclusive. */
  to: string;
  /** Allowed requests behind the rules (impersonation requests included). */
  requests: number;
  objects: RbacObject[];
  /** The objects as multi-document YAML for `kubectl apply -f -` ('' when there are none). */
  yaml: string;
  rules: RuleEvidence[];
}

/** Several clusters and none named: the caller has to choose (the console offers them). */
export class ClusterChoiceRequired extends BadRequestException {
  constructor(
    readonly username: string,
    readonly clusters: string[],
  ) {
    super([
      `cluster is required: ${username} made requests in ${clusters.length} clusters in this range ` +
        `(${clusters.join(', ')}); name one with ?cluster=`,
    ]);
  }
}

/** More distinct accesses than one suggestion reads: the caller has to narrow the range. */
export class TooManyAccessShapes extends BadRequestException {
  constructor(limit: number) {
    super([
      `more than ${limit} distinct accesses (verb, resource, namespace) or impersonations in this ` +
        'range: shorten it with from/to',
    ]);
  }
}

@Injectable()
export class RbacService {
  constructor(@Inject(RBAC_READER) private readonly reader: RbacReader) {}

  /**
   * Least-privilege RBAC for what `username` was allowed to do in one cluster between fromMs
   * and toMs. Without a cluster, the only cluster the identity used is taken; with several,
   * {@link ClusterChoiceRequired}. A cluster the caller may not see answers like one without
   * events: nothing.
   */
  async suggest(
    visibility: ClusterVisibility,
    username: string,
    range: { fromMs: number; toMs: number; cluster?: string },
  ): Promise<RbacAnswer> {
    const empty: RbacAnswer = {
      username,
      cluster: null,
      from: new Date(range.fromMs).toISOString(),
      to: new Date(range.toMs).toISOString(),
      requests: 0,
      objects: [],
      yaml: '',
      rules: [],
    };
    let cluster = range.cluster;
    if (cluster !== undefined && !canSee(visibility, cluster)) return empty;
    if (cluster === undefined) {
      const clusters = await this.reader.clusters(visibility, { username, ...range });
      if (clusters.length > 1) throw new ClusterChoiceRequired(username, clusters);
      if (clusters.length === 0) return empty;
      cluster = clusters[0];
    }
    const scope = { username, fromMs: range.fromMs, toMs: range.toMs, cluster };
    const [access, impersonation] = await Promise.all([
      this.reader.access(visibility, scope, MAX_ACCESS_SHAPES + 1),
      this.reader.impersonation(visibility, scope, MAX_IMPERSONATIONS + 1),
    ]);
    if (access.length > MAX_ACCESS_SHAPES) throw new TooManyAccessShapes(MAX_ACCESS_SHAPES);
    if (impersonation.length > MAX_IMPERSONATIONS) {
      throw new TooManyAccessShapes(MAX_IMPERSONATIONS);
    }
    const { objects, rules } = generateRbac({
      ...scope,
      access,
      impersonation: impersonationChecks(impersonation),
    });
    const requests = [...access, ...impersonation].reduce((sum, seen) => sum + seen.requests, 0);
    return {
      ...empty,
      cluster,
      requests,
      objects,
      yaml: toYaml(objects),
      rules,
    };
  }
}
