import { EventView, child, walk } from './event-view';
import { arrayAt, define, indexedField, keysField } from './field-builders';

/** Fields of roles and services in the request, of the response, and of the client. */
export function declareObjectFields(): void {
  const roleRules = (view: EventView): unknown[] | undefined =>
    arrayAt(walk(view.event, ['requestObject', 'rules']));
  keysField(
    'ka.req.role.rules',
    true,
    ['requestObject', 'rules'],
    'When the request object refers to a role/cluster role, the rules associated with the role',
  );
  for (const key of ['apiGroups', 'nonResourceURLs', 'verbs', 'resources']) {
    indexedField(
      `ka.req.role.rules.${key}`,
      [`requestObject.rules[].${key}[]`],
      `When the request object refers to a role/cluster role, the ${key === 'apiGroups' ? 'api groups' : key === 'nonResourceURLs' ? 'non resource urls' : key} associated with the role's rules`,
      roleRules,
      (rule) => arrayAt(child(rule, key)),
    );
  }
  keysField(
    'ka.req.service.type',
    false,
    ['requestObject', 'spec', 'type'],
    'When the request object refers to a service, the service type',
  );
  indexedField(
    'ka.req.service.ports',
    ['requestObject.spec.ports[]'],
    "When the request object refers to a service, the service's ports",
    (view) => arrayAt(walk(view.event, ['requestObject', 'spec', 'ports'])),
    (port) => port,
  );

  keysField(
    'ka.resp.name',
    false,
    ['responseObject', 'metadata', 'name'],
    'The response object name',
  );
  keysField('ka.response.code', false, ['responseStatus', 'code'], 'The response code');
  keysField(
    'ka.response.reason',
    false,
    ['responseStatus', 'reason'],
    'The response reason (usually present only for failures)',
  );
  keysField(
    'ka.useragent',
    false,
    ['userAgent'],
    'The useragent of the client who made the request to the apiserver',
  );
  indexedField(
    'ka.sourceips',
    ['sourceIPs[]'],
    'The IP addresses of the client who made the request to the apiserver',
    (view) => arrayAt(view.event.sourceIPs),
    (ip) => ip,
  );
  define(
    'ka.cluster.name',
    false,
    ['(the cluster the event was received for)'],
    'The name of the cluster the event was received for (from the webhook URL, not from the event)',
    () => (view) => view.cluster,
    { origin: 'extension' },
  );
}
