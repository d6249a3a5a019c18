import { RetentionService } from '../../../src/retention/retention.service';
import { backends, startTestApp, type TestApp } from '../../support/test-app';
import {
  auditEvent,
  dataSourceOf,
  detections,
  detectorStarted,
  eventually,
  post,
  TEST_RULES_ENV,
} from './helpers';

jest.setTimeout(120_000);

const DAY = 86_400_000;

describe.each(backends())('retention deletes detections with their events (%s)', (backend) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(backend, { ...TEST_RULES_ENV, RETENTION_DAYS: '30' });
    await detectorStarted(dataSourceOf(app));
  });
  afterAll(async () => app?.close());

  it('keeps the detections of kept events only', async () => {
    const now = Date.now();
    const remove = (name: string, atMs: number) =>
      auditEvent({ verb: 'delete', resource: 'configmaps', name, user: 'ret', atMs });
    await post(app.url, 'ret', [remove('old', now - 40 * DAY), remove('new', now - DAY)]);
    await eventually(async () => {
      expect(await detections(dataSourceOf(app))).toHaveLength(2);
    });
    const outcome = await app.app.get(RetentionService).runOnce(now);
    expect(outcome?.ran).toBe(true);
    const left = await detections(dataSourceOf(app));
    expect(left.map((d) => d.output)).toEqual(['ConfigMap default/new deleted by ret']);
  });
});
