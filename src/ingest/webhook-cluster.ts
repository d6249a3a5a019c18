import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { CLUSTER_NAME } from '../config/app-config';

export const DEFAULT_CLUSTER = 'default';
export const WEBHOOK_PREFIX = '/webhook/audit';

/** Raw requests carry the cluster the auth middleware resolved, so it is decided once. */
export type WebhookRequest = IncomingMessage & { auditCluster?: string; originalUrl?: string };

export type ClusterResolution = { ok: true; cluster: string } | { ok: false; message: string };

/**
 * The cluster a webhook URL names: `/webhook/audit/<cluster>`, or `/webhook/audit?cluster=<name>`,
 * else `default`. Other query parameters (client-go's `timeout=30s`) are ignored.
 */
export function resolveCluster(url: string): ClusterResolution {
  const parsed = new URL(url, 'http://localhost');
  const rest = parsed.pathname.slice(WEBHOOK_PREFIX.length).replace(/^\/+|\/+$/g, '');
  let cluster =
    rest.length > 0
      ? decodeURIComponent(rest)
      : (parsed.searchParams.get('cluster') ?? DEFAULT_CLUSTER);
  if (rest.length === 0 && cluster === '') cluster = DEFAULT_CLUSTER;
  if (!CLUSTER_NAME.test(cluster)) {
    return {
      ok: false,
      message: `cluster name ${JSON.stringify(cluster.slice(0, 80))} is invalid: use 1-63 characters of a-z, 0-9 and -, starting and ending with a letter or digit`,
    };
  }
  return { ok: true, cluster };
}

export const WebhookCluster = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string => {
    const request = ctx.switchToHttp().getRequest<{ raw: WebhookRequest }>();
    const cluster = request.raw.auditCluster;
    if (cluster === undefined)
      throw new Error('webhook request reached the controller without a resolved cluster');
    return cluster;
  },
);
