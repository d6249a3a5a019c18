import { backends, startTestApp, TestApp } from '../support/test-app';

type Json = Record<string, unknown>;

const secretCreate = {
  level: 'RequestResponse',
  auditID: 'secret-1',
  stage: 'ResponseComplete',
  requestURI: '/api/v1/namespaces/prod/secrets?fieldManager=kubectl-create&fieldValidation=Strict',
  verb: 'create',
  user: { username: 'alice' },
  userAgent: 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc1234',
  objectRef: { resource: 'secrets', namespace: 'prod', name: 'db-creds', apiVersion: 'v1' },
  responseStatus: { metadata: {}, code: 201 },
  requestObject: {
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: { name: 'db-creds' },
    data: { password: 'aHVudGVyMg==' },
  },
  responseObject: {
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: { name: 'db-creds', namespace: 'prod' },
    data: { password: 'aHVudGVyMg==' },
  },
  requestReceivedTimestamp: '2026-11-25T10:00:00.000001Z',
  stageTimestamp: '2026-11-25T10:00:00.000002Z',
};

const exec = {
  level: 'Metadata',
  auditID: 'exec-1',
  stage: 'ResponseStarted',
  requestURI:
    '/api/v1/namespaces/prod/pods/web-0/exec?command=sh&command=-c&command=cat+%2Fetc%2Fpasswd&container=app&stdin=true&stdout=true&tty=true',
  verb: 'get',
  user: { username: 'bob' },
  objectRef: {
    resource: 'pods',
    namespace: 'prod',
    name: 'web-0',
    subresource: 'exec',
    apiVersion: 'v1',
  },
  responseStatus: { metadata: {}, code: 101 },
  requestReceivedTimestamp: '2026-11-25T10:00:01.000001Z',
  stageTimestamp: '2026-11-25T10:00:01.000002Z',
};

describe.each(backends())('events API (%s)', (backend) => {
  let app: TestApp;
  let items: Json[];

  beforeAll(async () => {
    // Stored as sent (no redaction at rest): the API must hide the values by itself.
    app = await startTestApp(backend, { REDACT: 'none' });
    const res = await fetch(`${app.url}/webhook/audit/prod`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'EventList', items: [secretCreate, exec] }),
    });
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: 0 });
    items = (
      (await (await fetch(`${app.url}/api/v1/events?cluster=prod`)).json()) as { items: Json[] }
    ).items;
  });
  afterAll(() => app.close());

  it('explains each event with a sentence and the kubectl command', () => {
    const [execItem, secretItem] = items;
    expect(execItem.summary).toBe(
      "bob ran `sh -c 'cat /etc/passwd'` in container `app` of Pod `web-0` in namespace `prod` (cluster `prod`)",
    );
    expect(execItem.kubectl).toEqual({
      command: "kubectl exec -i -t web-0 -c app -n prod -- sh -c 'cat /etc/passwd'",
      fidelity: 'exact',
      notes: ['-t reaches the request only when kubectl runs in a terminal'],
    });
    expect(secretItem.summary).toMatch(/^alice created Secret `db-creds` in namespace `prod`/);
    expect(secretItem.summary).toMatch(/hidden/);
  });

  it('never returns a Secret value, in the list or in the stored event of the detail', async () => {
    const list = await (await fetch(`${app.url}/api/v1/events?cluster=prod`)).text();
    const detail = await (await fetch(`${app.url}/api/v1/events/${String(items[1].id)}`)).text();
    expect(list).not.toContain('aHVudGVyMg');
    expect(detail).not.toContain('aHVudGVyMg');
    const event = (JSON.parse(detail) as { event: { requestObject: { data: Json } } }).event;
    expect(event.requestObject.data).toEqual({ password: '<redacted>' });
  });

  it.each([
    ['limit=0', /limit must be at least 1/],
    ['limit=501', /limit must be at most 500/],
    ['limit=ten', /limit must be a whole number/],
    ['cursor=not-an-id', /cursor must be the nextCursor of a previous page/],
    ['cluster=Prod', /cluster must be/],
    ['verbose=1', /property verbose should not exist/],
  ])('answers 400 for ?%s', async (query, message) => {
    const res = await fetch(`${app.url}/api/v1/events?${query}`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(message);
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    expect((await fetch(`${app.url}/api/v1/events/123`)).status).toBe(400);
    const missing = await fetch(`${app.url}/api/v1/events/01890000-0000-7000-8000-000000000000`);
    expect(missing.status).toBe(404);
  });
});
