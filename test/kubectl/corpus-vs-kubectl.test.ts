import { isDeepStrictEqual } from 'node:util';
import { AuditEvent } from '../../src/domain/audit-event';
import { CorpusEvent, loadCorpusEvents } from './corpus-events';
import { eventFromRequest } from './event-from-request';
import { startFakeApiServer } from './fake-apiserver';
import { runKubectl } from './kubectl-runner';
import {
  describeWithKubectl,
  loadToKubectlSync,
  Reconstruction,
  REPLAY_NAMESPACE,
  warnReconstructionMissing,
} from './kubectl-suite';
import {
  decodePath,
  describeRequest,
  pickAuditedRequest,
  queryMultiset,
  semanticBody,
} from './request-compare';

/**
 * Every kubectl-issued event of the real-cluster corpus whose reconstruction claims `exact`:
 * run the reconstructed command against a fake apiserver and check that the event an apiserver
 * would write for it agrees with the recorded one (verb, path, query, objectRef, impersonation,
 * and the request body when the event holds one). Other claims are listed as skipped.
 */

const toKubectl = loadToKubectlSync();
if (!toKubectl) warnReconstructionMissing('corpus-vs-kubectl');

interface Row extends CorpusEvent {
  title: string;
  reconstruction?: Reconstruction;
}

const kubectlEvents: Row[] = loadCorpusEvents()
  .filter((c) => c.event.userAgent?.startsWith('kubectl/'))
  .map((c) => ({
    ...c,
    title: `${c.file}#${c.index} ${c.event.verb} ${c.event.requestURI}`,
    reconstruction: toKubectl?.(c.event),
  }));
const exact = kubectlEvents.filter((r) => r.reconstruction?.fidelity === 'exact');
const others = kubectlEvents.filter((r) => r.reconstruction?.fidelity !== 'exact');

function splitUri(uri: string): { path: string; query: string } {
  const i = uri.indexOf('?');
  return i < 0 ? { path: uri, query: '' } : { path: uri.slice(0, i), query: uri.slice(i + 1) };
}

const REF_FIELDS = [
  'resource',
  'namespace',
  'name',
  'apiGroup',
  'apiVersion',
  'subresource',
] as const;

function comparable(event: AuditEvent, body: unknown) {
  const { path, query } = splitUri(event.requestURI);
  return {
    verb: event.verb,
    path: decodePath(path),
    query: queryMultiset(query),
    objectRef: Object.fromEntries(
      REF_FIELDS.map((f) => [f, event.objectRef?.[f]]).filter(([, v]) => v),
    ),
    impersonatedUser: event.impersonatedUser
      ? { username: event.impersonatedUser.username, groups: event.impersonatedUser.groups }
      : undefined,
    requestObject: body,
  };
}

describeWithKubectl(
  'corpus kubectl events replayed through their reconstruction',
  ['1.31'],
  (bin) => {
    test('the corpus holds kubectl-issued events', () => {
      expect(kubectlEvents.length).toBeGreaterThan(0);
    });

    for (const row of others) {
      const claim = row.reconstruction
        ? `claims ${row.reconstruction.fidelity}`
        : 'no reconstruction module';
      test.skip(`${row.title} (${claim}; only exact claims are replayed)`, () => undefined);
    }

    if (exact.length === 0) {
      test.skip('no corpus event has an exact reconstruction to replay', () => undefined);
      return;
    }

    test.concurrent.each(exact)('$title', async (row) => {
      const r = row.reconstruction!;
      const server = await startFakeApiServer();
      try {
        const run = await runKubectl(server, r.command, {
          binary: bin['1.31'],
          namespace: REPLAY_NAMESPACE,
        });
        const wanted = decodePath(splitUri(row.event.requestURI).path);
        const req =
          [...run.requests].reverse().find((q) => decodePath(q.path) === wanted) ??
          pickAuditedRequest(run.requests);
        // Bodies are compared only when the corpus event recorded one (Request level or above).
        const recorded = row.event.requestObject;
        const body = (b: unknown) => (recorded !== undefined && req ? semanticBody(req, b) : b);
        const expected = comparable(row.event, body(recorded));
        const actual = req
          ? comparable(eventFromRequest(req), recorded !== undefined ? body(req.json) : undefined)
          : undefined;
        if (!isDeepStrictEqual(expected, actual)) {
          throw new Error(
            [
              `corpus event ${row.title}`,
              `reconstructed: ${r.command} (exact, ${r.recognizer})`,
              `expected: ${JSON.stringify(expected)}`,
              `actual:   ${JSON.stringify(actual)}`,
              `request:  ${describeRequest(req)}`,
              `replay exit ${run.exitCode}; stderr: ${run.stderr.trim().slice(0, 400)}`,
            ].join('\n'),
          );
        }
      } finally {
        await server.close();
      }
    });
  },
);
