import { KubectlCommand } from '../command';
import { viewOf } from '../request';
import { podTarget } from '../target';
import type { Recognizer } from '../types';
import { isPodStream } from './exec';

/** kubectl turns `--since` into whole seconds, so any spelling of the same seconds is exact. */
export function duration(seconds: number): string {
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

const INTEGER = /^\d+$/;

export const logsRecognizer: Recognizer = {
  name: 'logs',
  verbs: ['get'],
  matches: (event) => isPodStream(event, 'log'),
  build(event) {
    const view = viewOf(event);
    const q = view.query;
    const cmd = new KubectlCommand(view, 'logs');
    podTarget(cmd, view);
    const container = q.get('container');
    if (container) cmd.opt('-c', container);
    cmd.optIf(q.get('follow') === 'true', '-f');
    const tail = q.get('tailLines');
    if (tail !== null) cmd.opt('--tail', tail);
    const since = q.get('sinceSeconds');
    if (since !== null) cmd.opt('--since', INTEGER.test(since) ? duration(Number(since)) : since);
    const sinceTime = q.get('sinceTime');
    if (sinceTime !== null) cmd.opt('--since-time', sinceTime);
    cmd.optIf(q.get('timestamps') === 'true', '--timestamps');
    cmd.optIf(q.get('previous') === 'true', '--previous');
    const limit = q.get('limitBytes');
    if (limit !== null) cmd.opt('--limit-bytes', limit);
    cmd.optIf(
      q.get('insecureSkipTLSVerifyBackend') === 'true',
      '--insecure-skip-tls-verify-backend',
    );
    return cmd.namespace().build();
  },
};
