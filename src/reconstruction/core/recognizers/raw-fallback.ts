import { KubectlCommand } from '../command';
import { jsonDocument } from '../object-yaml';
import { shellQuote } from '../shell';
import { viewOf } from '../request';
import type { Recognizer } from '../types';

// kubectl's raw modes: get GETs, create POSTs, replace PUTs and delete DELETEs any URL.
const RAW_MODE: Record<string, string> = {
  get: 'get',
  list: 'get',
  proxy: 'get',
  create: 'create',
  post: 'create',
  update: 'replace',
  put: 'replace',
  delete: 'delete',
};

/** Last in the list: any request the named recognizers did not claim. */
export const rawFallbackRecognizer: Recognizer = {
  name: 'raw-fallback',
  matches: () => true,
  build(event) {
    const view = viewOf(event);
    const mode = Object.hasOwn(RAW_MODE, view.verb) ? RAW_MODE[view.verb] : undefined;
    if (!mode) {
      const method = view.verb.toUpperCase().replace(/[^A-Z]/g, '');
      return {
        command: `# ${method} ${shellQuote(view.uri)}`,
        fidelity: 'none',
        notes: [`kubectl cannot send a ${method} request to this URL`],
      };
    }
    const cmd = new KubectlCommand(view, mode).raw('--raw').arg(view.uri);
    if (mode === 'create' || mode === 'replace') {
      if (view.body !== undefined) {
        cmd.raw('-f', '-').document(jsonDocument(view.body, view.resource === 'secrets'));
      } else {
        cmd
          .raw('-f', '<body.json>')
          .partial(
            view.isResource
              ? `the request body was not recorded (audit level ${cmd.level})`
              : 'non-resource requests never carry their body in audit events',
          );
      }
    }
    return cmd.build();
  },
};
