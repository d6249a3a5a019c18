import { falcoString, isRecord, listValue, walk } from './event-view';
import { Extractor, define, fromElements, keysField, parseIndex } from './field-builders';

/** The query of a request URI, decoded leniently (URLSearchParams: `+` is a space); undefined without one. */
function queryOf(uri: unknown): URLSearchParams | undefined {
  if (typeof uri !== 'string') return undefined;
  const q = uri.indexOf('?');
  if (q < 0) return undefined;
  const hash = uri.indexOf('#', q);
  return new URLSearchParams(uri.slice(q + 1, hash < 0 ? undefined : hash));
}

/**
 * The words of an exec command: every `command` query parameter, decoded, in order (kubectl sends
 * one per word, for pods/exec and the kubelet's /exec alike). The kubelet's /run endpoint, reached
 * through nodes/proxy, takes one `cmd` parameter instead and splits it at spaces.
 */
function execArgs(uri: unknown): string[] | undefined {
  const query = queryOf(uri);
  if (!query) return undefined;
  const command = query.getAll('command');
  if (command.length > 0) return command;
  const path = (uri as string).slice(0, (uri as string).indexOf('?'));
  const cmd = query.get('cmd');
  if (cmd !== null && path.includes('/proxy/run/')) return cmd.split(' ');
  return undefined;
}

/** Fields of the request itself: who, what, where, and the RBAC objects it carries (extract.go). */
export function declareRequestFields(): void {
  keysField('ka.auditid', false, ['auditID'], 'The unique id of the audit event');
  keysField(
    'ka.stage',
    false,
    ['stage'],
    'Stage of the request (e.g. RequestReceived, ResponseComplete, etc.)',
  );
  keysField(
    'ka.auth.decision',
    false,
    ['annotations', 'authorization.k8s.io/decision'],
    'The authorization decision',
  );
  keysField(
    'ka.auth.reason',
    false,
    ['annotations', 'authorization.k8s.io/reason'],
    'The authorization reason',
  );
  keysField(
    'ka.auth.openshift.decision',
    false,
    ['annotations', 'authentication.openshift.io/decision'],
    'The authentication decision of the openshift apiserver extension. Only available on openshift clusters',
  );
  keysField(
    'ka.auth.openshift.username',
    false,
    ['annotations', 'authentication.openshift.io/username'],
    'The user name performing the openshift authentication operation. Only available on openshift clusters',
  );
  keysField(
    'ka.validations.admission.policy.failure',
    false,
    ['annotations', 'validation.policy.admission.k8s.io/validation_failure'],
    'The validation failure reason from a Validation Admission Policy',
  );
  keysField(
    'ka.security.pod.violations',
    false,
    ['annotations', 'pod-security.kubernetes.io/audit-violations'],
    'The violation reason for pod security policy',
  );
  keysField('ka.user.name', false, ['user', 'username'], 'The user name performing the request');
  keysField('ka.user.groups', true, ['user', 'groups'], 'The groups to which the user belongs');
  keysField(
    'ka.impuser.name',
    false,
    ['impersonatedUser', 'username'],
    'The impersonated user name',
  );
  keysField('ka.verb', false, ['verb'], 'The action being performed');
  keysField('ka.uri', false, ['requestURI'], 'The request URI as sent from client to server');
  define(
    'ka.uri.param',
    false,
    ['requestURI (query string)'],
    'The value of a given query parameter in the uri (e.g. when uri=/foo?key=val, ka.uri.param[key] is val).',
    (arg) => {
      const key = arg ?? '';
      return (view) => queryOf(view.event.requestURI)?.get(key) ?? undefined;
    },
    { arg: 'key', argRequired: true },
  );
  define(
    'ka.exec.command',
    false,
    ['requestURI (every command query parameter; cmd for the kubelet /run endpoint)'],
    'The command of an exec: every command query parameter of the uri, percent-decoded ("+" is a space), joined with single spaces (ka.uri.param[command] is only the first word). Through nodes/proxy to the kubelet /run endpoint, its cmd parameter',
    () => (view) => {
      const args = execArgs(view.event.requestURI);
      return args === undefined ? undefined : args.join(' ');
    },
    { origin: 'extension' },
  );
  define(
    'ka.exec.args',
    true,
    ['requestURI (every command query parameter; cmd for the kubelet /run endpoint)'],
    'The words of an exec command, each command query parameter percent-decoded as one value (the kubelet /run cmd parameter split at spaces, as the kubelet does)',
    (arg) => {
      const index = parseIndex(arg);
      return (view) => fromElements(execArgs(view.event.requestURI), index, (a) => a);
    },
    { arg: 'index', origin: 'extension' },
  );
  keysField('ka.target.name', false, ['objectRef', 'name'], 'The target object name');
  keysField(
    'ka.target.namespace',
    false,
    ['objectRef', 'namespace'],
    'The target object namespace',
  );
  keysField('ka.target.resource', false, ['objectRef', 'resource'], 'The target object resource');
  keysField(
    'ka.target.subresource',
    false,
    ['objectRef', 'subresource'],
    'The target object subresource',
  );
  define(
    'ka.target.pod.name',
    false,
    ['objectRef.name (when objectRef.resource is pods)'],
    'The target pod name',
    () => (view) =>
      walk(view.event, ['objectRef', 'resource']) === 'pods'
        ? falcoString(walk(view.event, ['objectRef', 'name']))
        : undefined,
  );
  keysField(
    'ka.req.binding.subjects',
    true,
    ['requestObject', 'subjects'],
    'When the request object refers to a cluster role binding, the subject (e.g. account/users) being linked by the binding',
  );

  function subjects(kind: string, pick: (subject: Record<string, unknown>) => unknown): Extractor {
    return (view) => {
      const list = walk(view.event, ['requestObject', 'subjects']);
      if (!Array.isArray(list)) return undefined;
      const out: string[] = [];
      for (const s of list) {
        if (!isRecord(s) || s.kind !== kind) continue;
        const v = falcoString(pick(s));
        if (v !== undefined) out.push(v);
      }
      return listValue(out);
    };
  }
  define(
    'ka.req.binding.subjects.user_names',
    true,
    ['requestObject.subjects[kind=User].name'],
    'When the request object refers to a cluster role binding, the subject user names being linked by the binding',
    () => subjects('User', (s) => s.name),
  );
  define(
    'ka.req.binding.subjects.serviceaccount_names',
    true,
    ['requestObject.subjects[kind=ServiceAccount].name'],
    'When the request object refers to a cluster role binding, the subject service account names being linked by the binding',
    () => subjects('ServiceAccount', (s) => s.name),
  );
  define(
    'ka.req.binding.subjects.serviceaccount_ns_names',
    true,
    ['requestObject.subjects[kind=ServiceAccount].namespace + ":" + name'],
    'When the request object refers to a cluster role binding, the subject serviceaccount namespaced names being linked by the binding, e.g. a list containing: mynamespace:myserviceaccount',
    () =>
      subjects('ServiceAccount', (s) =>
        typeof s.name === 'string'
          ? `${typeof s.namespace === 'string' ? s.namespace : ''}:${s.name}`
          : undefined,
      ),
  );
  define(
    'ka.req.binding.subjects.group_names',
    true,
    ['requestObject.subjects[kind=Group].name'],
    'When the request object refers to a cluster role binding, the subject group names being linked by the binding',
    () => subjects('Group', (s) => s.name),
  );
  keysField(
    'ka.req.binding.role',
    false,
    ['requestObject', 'roleRef', 'name'],
    'When the request object refers to a cluster role binding, the role being linked by the binding',
  );
  define(
    'ka.req.binding.subject.has_name',
    false,
    ['(none)'],
    'Deprecated, always returns "true" (as the plugin does, although documented as N/A). Only provided for backwards compatibility',
    () => () => 'true',
    { arg: 'key', argRequired: true },
  );
  keysField(
    'ka.req.configmap.name',
    false,
    ['objectRef', 'name'],
    'If the request object refers to a configmap, the configmap name',
  );
  keysField(
    'ka.req.configmap.obj',
    false,
    ['requestObject', 'data'],
    'If the request object refers to a configmap, the entire configmap object',
  );
}
