import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../config/app-config';
import { AuditMetrics } from '../ops/audit-metrics';
import type { FalcoPayload } from './falco-output';
import { FalcosidekickForwarder, FORWARD_QUEUE_LIMIT } from './falcosidekick-forwarder';

const payload = (rule: string): FalcoPayload => ({
  uuid: '0',
  output: 'o',
  priority: 'Warning',
  rule,
  time: '2026-11-30T00:00:00.000000000Z',
  output_fields: {},
  source: 'k8s_audit',
  tags: [],
  hostname: 'h',
});

async function metric(metrics: AuditMetrics, name: string): Promise<number> {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('FalcosidekickForwarder', () => {
  let server: Server;
  let url: string;
  let answers: number[];
  let received: string[];

  beforeEach(async () => {
    answers = [];
    received = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push((JSON.parse(body) as FalcoPayload).rule);
        res.writeHead(answers.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const forwarder = (metrics: AuditMetrics, target = url) =>
    new FalcosidekickForwarder(
      { detection: { falcosidekickUrl: target } } as unknown as AppConfig,
      metrics,
    );

  it('delivers in order and retries a failed POST', async () => {
    const metrics = new AuditMetrics();
    const f = forwarder(metrics);
    answers = [503];
    f.enqueue(payload('a'));
    f.enqueue(payload('b'));
    await f.flush(10_000);
    expect(received).toEqual(['a', 'a', 'b']);
    expect(await metric(metrics, 'audit_detection_forwarded_total')).toBe(2);
  });

  it('counts an alert that failed every attempt, and drops past the queue limit without waiting', async () => {
    const metrics = new AuditMetrics();
    const f = forwarder(metrics);
    answers = [500, 500, 500];
    const started = Date.now();
    for (let i = 0; i < FORWARD_QUEUE_LIMIT + 5; i++) f.enqueue(payload(`r${i}`));
    expect(Date.now() - started).toBeLessThan(500);
    expect(await metric(metrics, 'audit_detection_errors_total{stage="forward_dropped"}')).toBe(5);
    await f.onModuleDestroy();
    await new Promise((resolve) => setTimeout(resolve, 1200)); // the retry pause in progress
    expect(received.slice(0, 3)).toEqual(['r0', 'r0', 'r0']);
    expect(await metric(metrics, 'audit_detection_errors_total{stage="forward"}')).toBe(1);
  });
});
