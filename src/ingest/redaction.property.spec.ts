import fc from 'fast-check';
import { hmacMarker, redactEvent } from './redaction';

const marker = hmacMarker('p'.repeat(32));
const BOTH = { secrets: true, tokens: true };

/** A secret value no other part of the event can contain by chance. */
const secret = fc
  .uint8Array({ minLength: 9, maxLength: 40 })
  .map((bytes) => `zq${Buffer.from(bytes).toString('hex')}`);
/** Token characters as RFC 6750 and JWTs use them. */
const token = fc
  .uint8Array({ minLength: 9, maxLength: 60 })
  .map((bytes) => `tk${Buffer.from(bytes).toString('base64url')}`);
const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor'));
const data = fc.dictionary(key, secret, { minKeys: 1, maxKeys: 6 });

function present(json: string, values: string[]): string[] {
  const forms = values.flatMap((v) => [v, Buffer.from(v).toString('base64')]);
  return forms.filter((form) => json.includes(form));
}

describe('redactEvent on generated input', () => {
  it('leaves no Secret value wherever a Secret body puts it', () => {
    const body = fc.oneof(
      data.map((d) => ({ values: Object.values(d), body: { kind: 'Secret', data: d } })),
      data.map((d) => ({ values: Object.values(d), body: { stringData: d } })),
      data.map((d) => ({
        values: Object.values(d),
        body: { kind: 'SecretList', items: [{ data: d }, { metadata: {} }] },
      })),
      data.map((d) => ({
        values: Object.values(d),
        body: Object.entries(d).map(([k, v]) => ({
          op: 'add',
          path: `/data/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`,
          value: v,
        })),
      })),
      data.map((d) => ({
        values: Object.values(d),
        body: {
          metadata: {
            annotations: {
              'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ data: d }),
            },
          },
        },
      })),
    );
    fc.assert(
      fc.property(body, fc.boolean(), ({ values, body: object }, asResponse) => {
        const event = {
          verb: 'patch',
          objectRef: { resource: 'secrets', namespace: 'a', name: 'b' },
          [asResponse ? 'responseObject' : 'requestObject']: object,
        };
        const json = JSON.stringify(redactEvent(event, BOTH, marker));
        expect(present(json, values)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves no token in an exec command or a container, however the words around it go', () => {
    const word = fc.stringMatching(/^[a-z0-9./:-]{0,12}$/);
    const form = fc.constantFrom(
      (t: string) => [`--token=${t}`],
      (t: string) => ['--token', t],
      (t: string) => [`curl -H "Authorization: Bearer ${t}"`],
      (t: string) => [`--bearer-token ${t} get pods`],
      (t: string) => [`x eyJ${t}.eyJ${t}.${t} y`],
    );
    const command = fc.tuple(
      fc.array(word, { maxLength: 4 }),
      token,
      form,
      fc.array(word, { maxLength: 4 }),
    );
    fc.assert(
      fc.property(command, ([before, tok, place, after]) => {
        const args = [...before, ...place(tok), ...after];
        const query = args.map((arg) => new URLSearchParams([['command', arg]]).toString());
        const exec = {
          objectRef: { resource: 'pods', subresource: 'exec' },
          requestURI: `/api/v1/namespaces/a/pods/p/exec?${query.join('&')}&container=c`,
        };
        const uri = String(redactEvent(exec, BOTH, marker).requestURI);
        const decoded = new URLSearchParams(uri.split('?')[1]).getAll('command').join(' ');
        expect(decoded).not.toContain(tok);
        expect(uri.endsWith('&container=c')).toBe(true);
        const pod = {
          requestObject: { spec: { containers: [{ args, env: [{ value: args.join(' ') }] }] } },
        };
        expect(JSON.stringify(redactEvent(pod, BOTH, marker))).not.toContain(tok);
      }),
      { numRuns: 300 },
    );
  });
});
