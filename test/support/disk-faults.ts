import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

let privilege: string | undefined | null = null;

/**
 * Why this machine cannot mount file systems or set the immutable attribute (not root, a
 * container without CAP_SYS_ADMIN or CAP_LINUX_IMMUTABLE), or undefined when it can. Tried once,
 * on a scratch directory, so suites can skip loudly instead of failing on the setup.
 */
export function diskFaultsUnavailable(): string | undefined {
  if (privilege !== null) return privilege;
  const scratch = mkdtempSync(join(tmpdir(), 'faults-probe-'));
  try {
    const mount = join(scratch, 'mount');
    mkdirSync(mount);
    const cannotMount = mountSmallDisk(mount, 1024 * 1024);
    if (cannotMount === undefined) unmount(mount);
    const file = join(scratch, 'file');
    writeFileSync(file, '');
    const cannotChattr = setImmutable([file], true);
    if (cannotChattr === undefined) setImmutable([file], false);
    privilege = cannotMount ?? cannotChattr;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (privilege !== undefined) {
    process.stderr.write(
      `\n!!!!! disk faults need root (mount, chattr): ${privilege}; SKIPPING them !!!!!\n\n`,
    );
  }
  return privilege;
}
