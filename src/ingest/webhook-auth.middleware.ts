import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  BadRequestException,
  ForbiddenException,
  Inject,
  Injectable,
  NestMiddleware,
  UnauthorizedException,
} from '@nestjs/common';
import { APP_CONFIG, AppConfig, CLUSTER_NAME } from '../config/app-config';
import { verifiedClientCommonName } from '../tls';
import { DEFAULT_CLUSTER, resolveCluster, WebhookRequest } from './webhook-cluster';

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function sameToken(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}

/**
 * Runs before the body is read, so an unauthenticated client cannot make the server parse
 * megabytes. Resolves the cluster once and checks the bearer token in constant time: a global
 * WEBHOOK_TOKEN may write anywhere, a WEBHOOK_TOKENS entry only to its own cluster.
 */
@Injectable()
export class WebhookAuthMiddleware implements NestMiddleware<WebhookRequest, ServerResponse> {
  private readonly globalToken?: Buffer;
  private readonly clusterTokens: { cluster: string; token: Buffer }[];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.globalToken = config.webhookToken ? digest(config.webhookToken) : undefined;
    this.clusterTokens = [...config.webhookTokens].map(([cluster, token]) => ({
      cluster,
      token: digest(token),
    }));
  }

  use(req: WebhookRequest, _res: ServerResponse, next: (error?: unknown) => void): void {
    const resolution = resolveCluster(req.originalUrl ?? req.url ?? '/');
    if (!resolution.ok) throw new BadRequestException(resolution.message);
    const commonName = this.config.tls?.clientCaFile
      ? verifiedClientCommonName(req.socket)
      : undefined;
    if (commonName !== undefined) {
      req.auditCluster = this.clusterForCertificate(commonName, resolution.cluster);
      return next();
    }
    req.auditCluster = resolution.cluster;
    this.checkToken(req, resolution.cluster);
    next();
  }

  private clusterForCertificate(commonName: string, urlCluster: string): string {
    if (!this.config.tls?.clientCnClusters) return urlCluster;
    if (!CLUSTER_NAME.test(commonName)) {
      throw new ForbiddenException(
        `client certificate CN ${JSON.stringify(commonName.slice(0, 80))} is not a cluster name`,
      );
    }
    if (urlCluster !== DEFAULT_CLUSTER && urlCluster !== commonName) {
      throw new ForbiddenException(
        `client certificate is for cluster ${commonName}, not ${urlCluster}`,
      );
    }
    return commonName;
  }

  private checkToken(req: WebhookRequest, cluster: string): void {
    if (this.globalToken === undefined && this.clusterTokens.length === 0) {
      if (this.config.tls?.clientCaFile) {
        throw new UnauthorizedException(
          'a client certificate signed by TLS_CLIENT_CA_FILE is required',
        );
      }
      return;
    }
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match)
      throw new UnauthorizedException('missing bearer token (Authorization: Bearer <token>)');
    const presented = digest(match[1]);
    if (this.globalToken && sameToken(presented, this.globalToken)) return;
    let owner: string | undefined;
    for (const entry of this.clusterTokens)
      if (sameToken(presented, entry.token)) owner = entry.cluster;
    if (owner === cluster) return;
    if (owner !== undefined)
      throw new ForbiddenException(`this token may only write to cluster ${owner}`);
    throw new UnauthorizedException('invalid bearer token');
  }
}
