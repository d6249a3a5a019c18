import type { AuditEvent } from '../../domain/audit-event';
import { isClusterScoped } from './kinds';
import { actionOf } from './phrases';
import { LAST_APPLIED } from './redact';
import { field, isObject, RequestView, viewOf } from './request';
import { clean, code } from './text';

export interface DescribeOptions {
  cluster?: string;
}

/** One plain sentence: who did what to which object, and how it ended. */
export function describe(event: AuditEvent, opts: DescribeOptions = {}): string {
  const view = viewOf(event);
  const action = actionOf(view);
  const actor = actorOf(event);
  const where = whereOf(view, opts.cluster);
  const status = event.responseStatus;
  const statusCode = status?.code;
  let sentence: string;
  if (statusCode === undefined) {
    sentence = `${actor} started ${action.gerund}${where}`;
  } else if (statusCode === 401) {
    sentence = `${actor} was refused (401) ${action.gerund}${where}`;
  } else if (statusCode === 403) {
    const why = event.annotations?.['authorization.k8s.io/reason'] || status?.message;
    sentence = `${actor} was denied (403) ${action.gerund}${where}${why ? `: ${clean(why, 300)}` : ''}`;
  } else if (statusCode >= 400) {
    const reason = status?.reason ? ` ${clean(status.reason, 60)}` : '';
    const message = status?.message ? `: ${clean(status.message, 300)}` : '';
    sentence = `${actor} tried ${action.gerund}${where} but got ${statusCode}${reason}${message}`;
  } else if (view.dryRun) {
    sentence = `${actor} previewed ${action.gerund}${where} (server dry run, nothing changed)`;
  } else {
    sentence = `${actor} ${action.past}${where}${allowedBy(event)}`;
  }
  if (action.hidden || hidesSecretValues(view)) sentence += ' (a secret value was hidden)';
  return sentence;
}

function actorOf(event: AuditEvent): string {
  const user = event.user?.username ? clean(event.user.username, 120) : 'an unauthenticated client';
  const as = event.impersonatedUser?.username;
  return as ? `${user}, acting as ${clean(as, 120)},` : user;
}

function whereOf(view: RequestView, cluster: string | undefined): string {
  let where = '';
  if (view.namespace && !(view.resource === 'namespaces' && view.namespace === view.name)) {
    where = ` in namespace ${code(view.namespace)}`;
  } else if (
    view.isResource &&
    (view.verb === 'list' || view.verb === 'watch') &&
    !isClusterScoped(view.resource, view.group)
  ) {
    where = ' in all namespaces';
  }
  return cluster ? `${where} (cluster ${code(cluster)})` : where;
}

/**
 * `RBAC: allowed by ClusterRoleBinding "ops" of ClusterRole ...` -> ClusterRoleBinding `ops`.
 * EKS's access-entry authorizer words its reason the same way but names no Kubernetes object:
 * `EKS Access Policy: allowed by ClusterRoleBinding "<principal ARN>+<policy ARN>" of
 * ClusterRole "<policy ARN>" ...` -> EKS access policy `AmazonEKSClusterAdminPolicy`.
 */
function allowedBy(event: AuditEvent): string {
  const reason = event.annotations?.['authorization.k8s.io/reason'] ?? '';
  if (reason.startsWith('EKS Access Policy:')) {
    const policy = /of ClusterRole "(?:[^"]*\/)?([^"/]+)"/.exec(reason);
    return policy ? ` - allowed by EKS access policy ${code(policy[1])}` : '';
  }
  const match = /allowed by (\w+) "([^"]+)"/.exec(reason);
  return match ? ` - allowed by ${match[1]} ${code(match[2])}` : '';
}

function hidesSecretValues(view: RequestView): boolean {
  if (view.resource !== 'secrets') return false;
  const body = view.body;
  return (
    isObject(field(body, 'data')) ||
    isObject(field(body, 'stringData')) ||
    field(body, 'metadata', 'annotations', LAST_APPLIED) !== undefined
  );
}
