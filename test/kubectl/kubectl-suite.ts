import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AuditEvent } from '../../src/domain/audit-event';
import { KubectlVersion, locateKubectl } from './kubectl-runner';
import { Fidelity } from './request-compare';

/** Shared plumbing for the suites that need a real kubectl and the reconstruction module. */

export type KubectlBinaries = Record<KubectlVersion, string>;

/**
 * `describe` when every kubectl version the suite needs is installed; otherwise a loud warning
 * and `describe.skip`, so a machine without kubectl never reports these checks as passed.
 */
export function describeWithKubectl(
  name: string,
  versions: KubectlVersion[],
  body: (binaries: KubectlBinaries) => void,
): void {
  const found = Object.fromEntries(versions.map((v) => [v, locateKubectl(v)]));
  const missing = versions.filter((v) => !found[v]);
  if (missing.length > 0) {
    const banner = '!'.repeat(78);
    console.warn(
      `\n${banner}\n!! SKIPPED "${name}": kubectl ${missing.join(', ')} not found ` +
        `(looked for $KUBECTL_1_NN, $KUBECTL_SDK_BIN or /usr/lib/google-cloud-sdk/bin/kubectl.1.NN, ` +
        `and a real kubectl client of that version on PATH; the gcloud dispatcher does not count).\n` +
        `!! These checks did NOT run and prove nothing on this machine.\n${banner}\n`,
    );
    describe.skip(name, () => body({} as KubectlBinaries));
    return;
  }
  describe(name, () => body(found as KubectlBinaries));
}

export interface Reconstruction {
  command: string;
  fidelity: Fidelity;
  notes: string[];
  recognizer: string;
}

export type ToKubectl = (event: AuditEvent) => Reconstruction;

export const RECONSTRUCTION_INDEX = join(
  __dirname,
  '..',
  '..',
  'src',
  'reconstruction',
  'index.ts',
);

/**
 * The reconstruction module if it exists yet. Required by path at run time, so this harness
 * compiles (and its self-tests run) before `src/reconstruction/` is written; synchronous so that
 * jest tables can be built from its answers at collection time.
 */
export function loadToKubectlSync(): ToKubectl | undefined {
  if (!existsSync(RECONSTRUCTION_INDEX)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(RECONSTRUCTION_INDEX.replace(/\.ts$/, '')) as { toKubectl?: unknown };
  if (typeof mod.toKubectl !== 'function') {
    throw new Error(`${RECONSTRUCTION_INDEX} does not export a toKubectl function`);
  }
  return mod.toKubectl as ToKubectl;
}

export function warnReconstructionMissing(suite: string): void {
  console.warn(
    `\n!! ${suite}: ${RECONSTRUCTION_INDEX} does not exist yet; only the kubectl side of each ` +
      `case ran. The reconstruction comparisons are reported as todo, not as passed.\n`,
  );
}

/**
 * The replay's kubeconfig defaults to a namespace nothing lives in, so a reconstruction that
 * leaves out `-n` is caught even when the original ran in the default namespace.
 */
export const REPLAY_NAMESPACE = 'replay-context-namespace';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'kubectl');
