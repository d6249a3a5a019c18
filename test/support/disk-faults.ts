import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';

/** Runs a system command; the reason it failed, or undefined when it worked. */
function run(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status === 0) return undefined;
  return (result.stderr || result.error?.message || `exit ${result.status}`).trim();
}

/**
 * Mounts a tmpfs of `bytes` on `dir`: a small disk of its own that the test can fill. Returns
 * why it could not (not root, no CAP_SYS_ADMIN in a container), or undefined when mounted.
 */
export function mountSmallDisk(dir: string, bytes: number): string | undefined {
  return run('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]);
}

/** `target` shows `source` read-only (a read-only bind mount), or the reason it could not. */
export function mountReadOnly(source: string, target: string): string | undefined {
  const bind = run('mount', ['--bind', source, target]);
  if (bind !== undefined) return bind;
  const readOnly = run('mount', ['-o', 'remount,ro,bind', target]);
  if (readOnly !== undefined) unmount(target);
  return readOnly;
}

/** Makes a read-only bind mount writable again (the permission returns). */
export function remountWritable(target: string): string | undefined {
  return run('mount', ['-o', 'remount,rw,bind', target]);
}

export function unmount(dir: string): void {
  // Lazy: a file the application still holds must not keep the mount (and the test) alive.
  run('umount', ['-l', dir]);
}

/** Sets or clears the immutable attribute (chattr +i): even root cannot write the file. */
export function setImmutable(paths: string[], immutable: boolean): string | undefined {
  return run('chattr', [immutable ? '+i' : '-i', ...paths]);
}

/** Writes `path` until the file system has no space left (ENOSPC); returns the bytes written. */
export function fillDisk(path: string): number {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  try {
    for (let size = chunk.length; size >= 512;) {
      try {
        written += writeSync(fd, chunk, 0, size);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        size /= 2;
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}
