import { appendFileSync } from 'node:fs';
import { CASES, KubectlCase } from './cases';
import { eventFromRequest } from './event-from-request';
import { RecordedRequest, startFakeApiServer } from './fake-apiserver';
import { KubectlRun, runKubectl } from './kubectl-runner';
import {
  describeWithKubectl,
  FIXTURES,
  KubectlBinaries,
  loadToKubectlSync,
  Reconstruction,
  REPLAY_NAMESPACE,
  warnReconstructionMissing,
} from './kubectl-suite';
import {
  achievedFidelity,
  compareRequests,
  describeRequest,
  FIDELITY_RANK,
  pickAuditedRequest,
  PLACEHOLDER,
  placeholders,
  RequestDiff,
} from './request-compare';

/**
 * For every row of cases.ts: run the real kubectl against a fake apiserver, turn the audited
 * request into the event an apiserver would write, ask toKubectl for the command, run that
 * command against a fresh fake apiserver, and check that it sends the same request, as strictly
 * as the claimed fidelity promises. KUBECTL_REPORT_FILE=path appends one JSON line per case.
 */

const toKubectl = loadToKubectlSync();
if (!toKubectl) warnReconstructionMissing('reconstruction-vs-kubectl');

async function runOn(
  command: string,
  c: KubectlCase,
  bin: KubectlBinaries,
  where: { cwd?: string; namespace?: string },
) {
  const server = await startFakeApiServer();
  try {
    return await runKubectl(server, command, {
      binary: bin[c.kubectl ?? '1.31'],
      tty: c.tty,
      env: c.env,
      ...where,
    });
  } finally {
    await server.close();
  }
}

function audited(run: KubectlRun, c: KubectlCase, role: string): RecordedRequest {
  const req = pickAuditedRequest(run.requests, c.pick);
  if (!req) {
    const seen = run.requests.map(describeRequest).join('\n  ');
    throw new Error(
      `${role} command sent no request to audit: ${run.command}\n` +
        `exit ${run.exitCode}${run.timedOut ? ' (timed out)' : ''}\nstderr: ${run.stderr}\nrequests:\n  ${seen}`,
    );
  }
  return req;
}

function failure(
  c: KubectlCase,
  r: Reconstruction,
  expected: RecordedRequest,
  actual: RecordedRequest | undefined,
  replay: KubectlRun,
  diffs: RequestDiff[],
): string {
  return [
    `case "${c.name}" (kubectl ${c.kubectl ?? '1.31'})`,
    `original:      ${c.command}`,
    `reconstructed: ${r.command}`,
    `claimed:       ${r.fidelity} by ${r.recognizer}${r.notes.length ? `; notes: ${r.notes.join(' | ')}` : ''}`,
    `expected request: ${describeRequest(expected)}`,
    `actual request:   ${describeRequest(actual)}`,
    ...diffs.map(
      (d) =>
        `  ${d.field}: expected ${JSON.stringify(d.expected)}, got ${JSON.stringify(d.actual)}`,
    ),
    `replay exit ${replay.exitCode}${replay.timedOut ? ' (timed out)' : ''}; stderr: ${replay.stderr.trim().slice(0, 600)}`,
  ].join('\n');
}

/** The command a person would run: each `<placeholder>` filled in from the case row. */
function fillPlaceholders(c: KubectlCase, r: Reconstruction): string {
  const names = placeholders(r.command);
  if (names.length > 0 && r.fidelity === 'exact') {
    throw new Error(`case "${c.name}": claims exact but leaves placeholders: ${r.command}`);
  }
  const missing = names.filter((n) => c.placeholders?.[n] === undefined);
  if (missing.length > 0) {
    throw new Error(
      `case "${c.name}": no value for <${missing.join('>, <')}> in ${r.command}\n` +
        `(add them to the row's placeholders if the event really lacks them)`,
    );
  }
  // Row values are plain words, so they need no quoting wherever the placeholder stands.
  const bad = names.filter((n) => !/^[\w.:/=+-]+$/.test(c.placeholders![n]));
  if (bad.length > 0)
    throw new Error(`case "${c.name}": values for <${bad.join('>, <')}> must be plain words`);
  return r.command.replace(PLACEHOLDER, (_, n: string) => c.placeholders![n]);
}

function report(entry: object) {
  const file = process.env.KUBECTL_REPORT_FILE;
  if (file) appendFileSync(file, JSON.stringify(entry) + '\n');
}

describeWithKubectl(
  'reconstructed commands send the same request as the original kubectl',
  ['1.31', '1.32'],
  (bin) => {
    test.concurrent.each(CASES)('$name: $command', async (c) => {
      const original = await runOn(c.command, c, bin, { cwd: FIXTURES });
      const expected = audited(original, c, 'original');
      const recorded = eventFromRequest(expected, { level: c.level });
      const event = c.reshape ? c.reshape(recorded) : recorded;

      if (!toKubectl) return;
      const r = toKubectl(event);
      const base = {
        case: c.name,
        original: c.command,
        reconstructed: r.command,
        fidelity: r.fidelity,
        recognizer: r.recognizer,
      };
      if (FIDELITY_RANK[r.fidelity] < FIDELITY_RANK[c.expect]) {
        report({ ...base, status: 'fidelity-too-low', expectedFidelity: c.expect, notes: r.notes });
        throw new Error(
          `case "${c.name}": expected at least ${c.expect}, reconstruction claims ${r.fidelity}\n` +
            `original: ${c.command}\nreconstructed: ${r.command}\nrecognizer: ${r.recognizer}; notes: ${r.notes.join(' | ')}\n` +
            `event: ${event.verb} ${event.requestURI}`,
        );
      }
      if (r.fidelity === 'none') return;

      // An empty working directory: the command must carry its manifest itself.
      const replay = await runOn(fillPlaceholders(c, r), c, bin, { namespace: REPLAY_NAMESPACE });
      const actual = pickAuditedRequest(replay.requests, c.pick);
      const diffs = actual
        ? compareRequests(expected, actual, r.fidelity, { volatile: c.volatile })
        : [{ field: 'request', expected: describeRequest(expected), actual: '(none sent)' }];
      report({
        ...base,
        status: diffs.length ? 'mismatch' : 'match',
        achieved: actual ? achievedFidelity(expected, actual, { volatile: c.volatile }) : 'none',
        expected: describeRequest(expected),
        actual: describeRequest(actual),
        diffs,
        replayStderr: diffs.length ? replay.stderr.slice(0, 400) : undefined,
      });
      if (diffs.length > 0) throw new Error(failure(c, r, expected, actual, replay, diffs));
    });
  },
);
