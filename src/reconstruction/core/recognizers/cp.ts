import { KubectlCommand } from '../command';
import { viewOf } from '../request';
import type { Recognizer } from '../types';
import { isPodStream } from './exec';

// kubectl pkg/cmd/cp: `tar cf - SRC` reads from the pod, `tar [flags] -xmf - [-C DIR]` writes to it.
const TAIL_RETRY = /^tar cf - '?([^'|]*)'? \| tail -c\+\d+$/;

function tarArgs(command: string[]): { direction: 'from' | 'to'; path: string } | undefined {
  if (command[0] === 'sh' && command[1] === '-c' && command.length === 3) {
    const retry = TAIL_RETRY.exec(command[2]);
    return retry ? { direction: 'from', path: retry[1] } : undefined;
  }
  if (command[0] !== 'tar') return undefined;
  if (command[1] === 'cf' && command[2] === '-' && command.length === 4) {
    return { direction: 'from', path: command[3] };
  }
  const extract = command.findIndex((arg) => arg === '-xmf' || arg === 'xmf');
  if (extract < 0 || command[extract + 1] !== '-') return undefined;
  const dirAt = command.indexOf('-C');
  return { direction: 'to', path: dirAt > 0 ? (command[dirAt + 1] ?? '') : '' };
}

export const cpRecognizer: Recognizer = {
  name: 'cp',
  verbs: ['get', 'create'],
  matches: (event) =>
    isPodStream(event, 'exec') && tarArgs(viewOf(event).query.getAll('command')) !== undefined,
  build(event) {
    const view = viewOf(event);
    const command = view.query.getAll('command');
    const tar = tarArgs(command)!;
    const cmd = new KubectlCommand(view, 'cp');
    if (tar.direction === 'from') {
      cmd.arg(`${view.name}:${tar.path}`).raw('<local-path>');
      cmd.partial('the local destination is not in the event');
    } else {
      const dir = tar.path.endsWith('/') || tar.path === '' ? tar.path : `${tar.path}/`;
      cmd.raw('<local-path>').arg(`${view.name}:${dir}<name>`);
      cmd.partial(
        'the local source and the file name travel inside the tar stream, not in the event',
      );
      if (command.includes('--no-same-owner')) cmd.raw('--no-preserve');
    }
    const container = view.query.get('container');
    if (container) cmd.opt('-c', container);
    if (command[0] === 'sh')
      cmd.note('the `| tail -c+N` form comes from --retries resuming a copy');
    return cmd.namespace().build();
  },
};
