import { KubectlCommand } from '../command';
import { isClusterScoped } from '../kinds';
import { isObject, RequestView, stringField, viewOf } from '../request';
import { typeOf } from '../target';
import type { Recognizer } from '../types';

const KUBECTL_CHUNK = '500';

/** `-n`/`-A`, `-l` and `--field-selector` as kubectl get turns them into a collection URL. */
export function scopeAndSelectors(
  cmd: KubectlCommand,
  view: RequestView,
  nameSelector?: string,
): void {
  if (view.namespace) cmd.namespace();
  else if (!isClusterScoped(view.resource, view.group)) cmd.raw('-A');
  const labels = view.query.get('labelSelector');
  if (labels) cmd.opt('-l', labels);
  const fields = view.query.get('fieldSelector');
  if (fields && fields !== nameSelector) cmd.opt('--field-selector', fields);
}

/** The output format shows only in the response: a Table for default output, the objects for -o. */
export function outputFormat(cmd: KubectlCommand, view: RequestView): void {
  const response = view.event.responseObject;
  if (!isObject(response)) return;
  const kind = stringField(response, 'kind');
  if (kind && kind !== 'Table') {
    cmd
      .raw('-o', 'yaml')
      .note('the response held whole objects, so the output was -o yaml or -o json (or similar)');
  }
}

/** Parameters kubectl never sends; they mark an informer or another client. */
export function clientOnlyParameters(cmd: KubectlCommand, view: RequestView): void {
  if (view.query.has('includeUninitialized')) {
    cmd.olderKubectl(
      'includeUninitialized=true comes from kubectl before 1.14; current kubectl leaves it out',
    );
  }
  if (view.query.has('allowWatchBookmarks') || view.query.has('timeoutSeconds')) {
    cmd.note(
      'allowWatchBookmarks/timeoutSeconds mark a client-go informer; kubectl -w sends neither',
    );
  }
}

export const listRecognizer: Recognizer = {
  name: 'list',
  verbs: ['list'],
  matches: (event) => viewOf(event).verb === 'list',
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'get').arg(typeOf(view));
    scopeAndSelectors(cmd, view);
    const limit = view.query.get('limit');
    if (limit === null) {
      if (view.query.get('includeObject') === 'Object') {
        cmd
          .raw('--sort-by=<jsonpath>')
          .partial('--sort-by lists without chunks; the sort key is not sent');
      } else cmd.raw('--chunk-size=0');
    } else if (limit !== KUBECTL_CHUNK) cmd.opt('--chunk-size', limit);
    if (view.query.has('continue')) cmd.note('continue= marks a later page of the same list');
    if (view.query.has('resourceVersion')) {
      cmd.note(
        `resourceVersion=${view.query.get('resourceVersion')} is set by informers, not kubectl get`,
      );
    }
    outputFormat(cmd, view);
    clientOnlyParameters(cmd, view);
    return cmd.build();
  },
};
