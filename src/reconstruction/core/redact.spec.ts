import { redactArgs, redactObject, redactStoredEvent, REDACTED } from './redact';

describe('redactArgs', () => {
  it.each([
    [
      ['psql', '--password=pw1'],
      ['psql', `--password=${REDACTED}`],
    ],
    [
      ['vault', 'login', '--token', 'hvs.abc'],
      ['vault', 'login', '--token', REDACTED],
    ],
    [
      ['env', 'TOKEN=abc', 'PASSWORD=', 'HOME=/root'],
      ['env', `TOKEN=${REDACTED}`, 'PASSWORD=', 'HOME=/root'],
    ],
    [
      ['mysql', '-uroot', '-ps3cret'],
      ['mysql', '-uroot', `-p${REDACTED}`],
    ],
    [
      ['sh', '-c', 'mysql -u root -ps3cret db'],
      ['sh', '-c', `mysql -u root -p${REDACTED} db`],
    ],
    [
      ['curl', '-H', 'Authorization: Bearer eyJhbGci'],
      ['curl', '-H', `Authorization: Bearer ${REDACTED}`],
    ],
    [
      ['sh', '-c', 'DB_PASSWORD="a b c" ./run'],
      ['sh', '-c', `DB_PASSWORD=${REDACTED} ./run`],
    ],
    [
      ['git', 'clone', 'https://user:tok3n@git.example/repo'],
      ['git', 'clone', `https://user:${REDACTED}@git.example/repo`],
    ],
  ])('hides the secret in %j', (args, expected) => {
    const result = redactArgs(args);
    expect(result.value).toEqual(expected);
    expect(result.redacted).toBe(JSON.stringify(args) !== JSON.stringify(expected));
  });

  it('leaves ordinary commands alone', () => {
    expect(redactArgs(['ls', '-la', '/tmp', 'tar', '-pxf', 'a.tar'])).toEqual({
      value: ['ls', '-la', '/tmp', 'tar', '-pxf', 'a.tar'],
      redacted: false,
    });
  });
});

describe('redactObject', () => {
  it('hides Secret data and stringData, and env values named like credentials', () => {
    const secret = {
      kind: 'Secret',
      data: { a: 'eA==' },
      stringData: { b: 'y' },
      metadata: { name: 's' },
    };
    expect(redactObject(secret, false)).toEqual({
      value: {
        kind: 'Secret',
        data: { a: REDACTED },
        stringData: { b: REDACTED },
        metadata: { name: 's' },
      },
      redacted: true,
    });
    const pod = {
      spec: {
        containers: [
          {
            env: [
              { name: 'API_TOKEN', value: 't' },
              { name: 'MODE', value: 'fast' },
            ],
          },
        ],
      },
    };
    expect(JSON.stringify(redactObject(pod, false).value)).toBe(
      `{"spec":{"containers":[{"env":[{"name":"API_TOKEN","value":"${REDACTED}"},{"name":"MODE","value":"fast"}]}]}}`,
    );
  });

  it('hides the token of a TokenRequest status and the last-applied copy of a Secret', () => {
    expect(redactObject({ kind: 'TokenRequest', status: { token: 'jwt' } }, false).value).toEqual({
      kind: 'TokenRequest',
      status: { token: REDACTED },
    });
    const annotated = {
      metadata: {
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration':
            '{"kind":"Secret","data":{"k":"dg=="}}',
        },
      },
    };
    expect(JSON.stringify(redactObject(annotated, false).value)).not.toContain('dg==');
  });

  it('does not touch a ConfigMap that is not a Secret', () => {
    const cm = { kind: 'ConfigMap', data: { a: 'b' } };
    expect(redactObject(cm, false)).toEqual({ value: cm, redacted: false });
  });
});

describe('redactStoredEvent', () => {
  it('hides Secret values in request and response objects, keeping keys and everything else', () => {
    const raw = {
      auditID: 'a',
      objectRef: { resource: 'secrets', namespace: 'prod', name: 'db' },
      requestObject: {
        kind: 'Secret',
        metadata: { name: 'db' },
        data: { password: 'aHVudGVyMg==' },
      },
      responseObject: { kind: 'Secret', metadata: { name: 'db' }, stringData: { token: 'abc' } },
    };
    const result = redactStoredEvent(raw);
    expect(result.redacted).toBe(true);
    expect(JSON.stringify(result.value)).not.toMatch(/aHVudGVyMg|"abc"/);
    expect(result.value).toEqual({
      ...raw,
      requestObject: { ...raw.requestObject, data: { password: '<redacted>' } },
      responseObject: { ...raw.responseObject, stringData: { token: '<redacted>' } },
    });
    expect(raw.requestObject.data.password).toBe('aHVudGVyMg=='); // the input is not changed
  });

  it('hides the items of a SecretList and leaves a ConfigMap alone', () => {
    const list = {
      objectRef: { resource: 'secrets', namespace: 'prod' },
      responseObject: {
        kind: 'SecretList',
        items: [{ metadata: { name: 'x' }, data: { k: 'djE=' } }],
      },
    };
    expect(JSON.stringify(redactStoredEvent(list).value)).not.toContain('djE=');
    const configMap = {
      objectRef: { resource: 'configmaps' },
      requestObject: { data: { k: 'v' } },
    };
    expect(redactStoredEvent(configMap)).toEqual({ value: configMap, redacted: false });
  });
});
