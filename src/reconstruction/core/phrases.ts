import { kindOf, pluralKind } from './kinds';
import { LAST_APPLIED, redactArgs } from './redact';
import { field, isObject, numberField, RequestView, stringField } from './request';
import { shellQuote } from './shell';
import { code } from './text';

/** What was done, in the two forms a sentence needs: "deleted X" and "deleting X". */
export interface Action {
  past: string;
  gerund: string;
  /** A value was hidden while describing the action. */
  hidden: boolean;
}

const VERBS: Record<string, [string, string]> = {
  create: ['created', 'creating'],
  update: ['updated', 'updating'],
  patch: ['patched', 'patching'],
  delete: ['deleted', 'deleting'],
  get: ['read', 'reading'],
  list: ['listed', 'listing'],
  watch: ['watched', 'watching'],
  deletecollection: ['deleted all', 'deleting all'],
  proxy: ['proxied a request to', 'proxying a request to'],
};

function both(past: string, gerund: string, rest: string, hidden = false): Action {
  return { past: `${past} ${rest}`, gerund: `${gerund} ${rest}`, hidden };
}

function objectPhrase(view: RequestView): string {
  const kind = kindOf(view.resource);
  if (view.verb === 'list' || view.verb === 'watch' || view.verb === 'deletecollection') {
    const fields = view.query.get('fieldSelector');
    const single =
      fields && !view.query.has('labelSelector') ? /^metadata\.name=([^,]+)$/.exec(fields) : null;
    if (single) return `${kind} ${code(single[1])}`;
    const selector = view.query.get('labelSelector') ?? fields;
    return `${pluralKind(kind)}${selector ? ` matching ${code(selector)}` : ''}`;
  }
  if (view.name) return `${kind} ${code(view.name)}`;
  const generated = stringField(view.body, 'metadata', 'generateName');
  return generated ? `a ${kind} named ${code(`${generated}...`)}` : `a ${kind}`;
}

function container(view: RequestView): string {
  const name = view.query.get('container');
  return name ? `container ${code(name)} of ` : '';
}

export function actionOf(view: RequestView): Action {
  if (!view.isResource) {
    const method = clean(view.verb.toUpperCase());
    const url = view.path ? code(view.path, 200) : 'an unrecorded URL';
    return both('called', 'calling', method ? `${method} ${url}` : url);
  }
  const target = objectPhrase(view);
  const sub = subresourceAction(view, target) ?? commandAction(view, target);
  if (sub) return sub;
  const unknown = clean(view.verb) ? `${clean(view.verb)} on` : 'made a request on';
  const [past, gerund] = VERBS[view.verb] ?? [unknown, unknown];
  return both(past, gerund, target);
}

// The command a write came from, when its fieldManager or body says so.
const BY_MANAGER: Record<string, [string, string]> = {
  'kubectl-client-side-apply': ['applied', 'applying'],
  kubectl: ['applied', 'applying'],
  'kubectl-edit': ['edited', 'editing'],
  'kubectl-replace': ['replaced', 'replacing'],
  'kubectl-label': ['changed the labels of', 'changing the labels of'],
  'kubectl-annotate': ['changed the annotations of', 'changing the annotations of'],
  'kubectl-set': ['changed the pod template of', 'changing the pod template of'],
  'kubectl-taint': ['changed the taints of', 'changing the taints of'],
};

function commandAction(view: RequestView, target: string): Action | undefined {
  if (view.verb !== 'patch' && view.verb !== 'update' && view.verb !== 'create') return undefined;
  if (view.resource === 'nodes' && view.verb === 'patch') {
    const unschedulable = field(view.body, 'spec', 'unschedulable');
    if (unschedulable === true) return both('cordoned', 'cordoning', target);
    if (unschedulable === null) return both('uncordoned', 'uncordoning', target);
  }
  const annotations = field(view.body, 'spec', 'template', 'metadata', 'annotations');
  if (isObject(annotations) && 'kubectl.kubernetes.io/restartedAt' in annotations) {
    return both('restarted', 'restarting', target);
  }
  if (
    view.verb === 'patch' &&
    !view.fieldManager &&
    field(view.body, 'metadata', 'annotations', LAST_APPLIED) !== undefined
  ) {
    return both('applied', 'applying', target);
  }
  if (view.verb === 'create' || !view.fieldManager) return undefined;
  const phrase = Object.hasOwn(BY_MANAGER, view.fieldManager)
    ? BY_MANAGER[view.fieldManager]
    : undefined;
  if (view.fieldManager === 'kubectl' && !view.query.has('force')) return undefined;
  return phrase ? both(phrase[0], phrase[1], target) : undefined;
}

function clean(text: string): string {
  return text.replace(/[^A-Za-z0-9 _.:-]/g, '').slice(0, 40);
}

function subresourceAction(view: RequestView, target: string): Action | undefined {
  const of = `${container(view)}${target}`;
  switch (view.subresource) {
    case '':
      return view.resource === 'selfsubjectaccessreviews' && view.verb === 'create'
        ? both('checked', 'checking', 'their own permissions')
        : undefined;
    case 'exec': {
      const { value, redacted } = redactArgs(view.query.getAll('command'));
      // Converted formats and trimmed exports drop the query: say so rather than show ``.
      if (value.length === 0) return both('ran', 'running', `a command (not recorded) in ${of}`);
      return both(
        'ran',
        'running',
        `${code(value.map(shellQuote).join(' '), 200)} in ${of}`,
        redacted,
      );
    }
    case 'attach':
      return both('attached to', 'attaching to', of);
    case 'log':
      return view.query.get('follow') === 'true'
        ? both('followed the logs of', 'following the logs of', of)
        : both('read the logs of', 'reading the logs of', of);
    case 'portforward':
      return both('opened a port-forward to', 'opening a port-forward to', target);
    case 'eviction':
      return both('evicted', 'evicting', target);
    case 'token':
      return both(
        'requested a token for',
        'requesting a token for',
        target,
        view.event.responseObject !== undefined,
      );
    case 'binding': {
      const node = stringField(view.body, 'target', 'name');
      return both('bound', 'binding', `${target}${node ? ` to node ${code(node)}` : ''}`);
    }
    case 'ephemeralcontainers':
      if (view.verb === 'get') return undefined;
      return both('added a debug container to', 'adding a debug container to', target);
    case 'scale': {
      const replicas = numberField(view.body, 'spec', 'replicas');
      if (view.verb === 'get') return both('read the scale of', 'reading the scale of', target);
      return replicas === undefined
        ? both('changed the scale of', 'changing the scale of', target)
        : both('scaled', 'scaling', `${target} to ${replicas} replicas`);
    }
    case 'approval': {
      const conditions = field(view.body, 'status', 'conditions');
      const last = Array.isArray(conditions) ? conditions[conditions.length - 1] : undefined;
      const type = isObject(last) ? last.type : undefined;
      if (type === 'Approved') return both('approved', 'approving', target);
      if (type === 'Denied') return both('denied', 'denying', target);
      return both('changed the approval of', 'changing the approval of', target);
    }
    default: {
      const [past, gerund] = VERBS[view.verb] ?? ['changed', 'changing'];
      const sub = code(view.subresource, 40);
      return both(past, gerund, `the ${sub} of ${target}`);
    }
  }
}
