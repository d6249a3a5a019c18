import { eventItem } from '../../test/console/event-item';
import type { StoredDetection } from '../detection/detection';
import type { DetectionItem } from '../detection/query/detection-query.service';
import {
  detectionBadgeOf,
  detectionDetailView,
  detectionsHref,
  detectionsPageView,
  fieldValueText,
  priorityBadge,
} from './detections.view';
import { eventRowView } from './event-row.view';
import { filterFormView } from './filter-form.view';

const HOSTILE = '<img src=x onerror=alert(1)>';

function stored(overrides: Partial<StoredDetection> = {}): StoredDetection {
  return {
    id: '0193a1b2-0000-7000-9000-000000000001',
    eventId: '0193a1b2-0000-7000-8000-000000000001',
    cluster: 'prod',
    rule: 'Attach/Exec Pod',
    priority: 'NOTICE',
    output: 'Attach/Exec to pod (user=bob pod=web-0 ns=shop)',
    tags: ['k8s', 'T1609'],
    time: '2026-11-25T10:00:00.000Z',
    detectedAt: '2026-11-25T10:00:02.000Z',
    fields: [
      { field: 'ka.user.name', value: 'bob' },
      { field: 'ka.uri.param[command]', value: ['sh', '-c'] },
    ],
    repeats: 0,
    ...overrides,
  };
}

function item(overrides: Partial<StoredDetection> = {}): DetectionItem {
  const detection = stored(overrides);
  return {
    ...detection,
    event: {
      summary: 'bob opened a shell in Pod `web-0`',
      username: 'bob',
      verb: 'get',
      resource: 'pods',
      namespace: 'shop',
      name: 'web-0',
      kubectl: 'kubectl exec -it web-0 -n shop -- sh',
    },
    links: {
      event: `/api/v1/events/${detection.eventId}`,
      console: `/events/${detection.eventId}`,
    },
  };
}

describe('detection badge of an event row', () => {
  it('is absent without detections', () => {
    expect(detectionBadgeOf(eventItem())).toBeNull();
    expect(eventRowView(eventItem(), {}).detections).toBeNull();
  });

  it('shows the most severe priority, the count of the others and every rule in its title', () => {
    const badge = detectionBadgeOf(
      eventItem({
        detections: [
          { rule: 'Attach/Exec Pod', priority: 'NOTICE', output: 'o', tags: [] },
          { rule: 'Create Privileged Pod', priority: 'CRITICAL', output: 'o', tags: [] },
          { rule: 'Secret Read', priority: 'WARNING', output: 'o', tags: [] },
        ],
      }),
    );
    expect(badge).toMatchObject({
      text: '⚑ critical +2',
      title: 'Attach/Exec Pod (notice)\nCreate Privileged Pod (critical)\nSecret Read (warning)',
      href: '/events/0193a1b2-0000-7000-8000-000000000001#detections',
      className: priorityBadge('CRITICAL').className,
    });
  });

  it('one detection: no count', () => {
    const row = eventRowView(
      eventItem({ detections: [{ rule: 'R', priority: 'WARNING', output: '', tags: [] }] }),
      {},
    );
    expect(row.detections?.text).toBe('⚑ warning');
  });

  it('colours each priority, the severe ones apart from the rest', () => {
    expect(priorityBadge('CRITICAL').className).toContain('bg-red');
    expect(priorityBadge('WARNING').className).toContain('bg-amber');
    expect(priorityBadge('NOTICE').className).not.toBe(priorityBadge('CRITICAL').className);
  });
});

describe('detectionDetailView: why it fired', () => {
  it('lists the fields the rule read, values as text', () => {
    const view = detectionDetailView(stored());
    expect(view.fields).toEqual([
      { field: 'ka.user.name', value: 'bob' },
      { field: 'ka.uri.param[command]', value: '["sh","-c"]' },
    ]);
    expect(view.ruleHref).toBe('/detections?cluster=prod&rule=Attach%2FExec+Pod');
    expect(view.eventsHref).toBe('/?detectionRule=Attach%2FExec+Pod');
    expect(view.grouping).toBe('alert');
  });

  it('keeps hostile text as data (the template escapes it) and bounds long values', () => {
    const view = detectionDetailView(
      stored({ output: HOSTILE, fields: [{ field: HOSTILE, value: 'x'.repeat(5000) }] }),
    );
    expect(view.output).toBe(HOSTILE);
    expect(view.fields[0].field).toBe(HOSTILE);
    expect(view.fields[0].value).toHaveLength(1025);
  });

  it('says how the detection was grouped', () => {
    expect(detectionDetailView(stored({ repeats: 3 })).grouping).toBe(
      'alert: 3 later detections grouped into it',
    );
    expect(detectionDetailView(stored({ repeats: 1 })).grouping).toBe(
      'alert: 1 later detection grouped into it',
    );
    expect(detectionDetailView(stored({ groupedInto: stored().id })).grouping).toMatch(/repeat/);
  });

  it('values: null, numbers, booleans and objects as JSON', () => {
    expect([null, 3, true, { a: 1 }].map(fieldValueText)).toEqual(['null', '3', 'true', '{"a":1}']);
  });
});

describe('detectionsPageView', () => {
  const summary = {
    fromMs: 0,
    toMs: 1,
    rules: [
      {
        rule: 'Create Privileged Pod',
        priority: 'CRITICAL' as const,
        severity: 2,
        alerts: 1,
        detections: 4,
        lastSeen: '2026-11-25T10:00:00.000Z',
      },
    ],
  };

  it('lists rules with links to their alerts and their events, in the page range', () => {
    const view = detectionsPageView(
      summary,
      { items: [item()], nextCursor: null },
      ['dev', 'prod'],
      { cluster: ['prod'], from: '24h' },
    );
    expect(view.nav).toBe('detections');
    expect(view.rules?.[0]).toMatchObject({
      rule: 'Create Privileged Pod',
      alerts: 1,
      detections: 4,
      href: '/detections?cluster=prod&rule=Create+Privileged+Pod&from=24h',
      eventsHref: '/?cluster=prod&detectionRule=Create+Privileged+Pod&from=24h',
    });
    expect(view.rangeNote).toBe('from 24h');
    expect(view.presets.find((p) => p.active)?.label).toBe('24h');
    expect(view.switcher?.current).toBe('prod');
    expect(view.alerts[0]).toMatchObject({
      rule: 'Attach/Exec Pod',
      user: 'bob',
      eventHref: '/events/0193a1b2-0000-7000-8000-000000000001',
      repeats: 0,
      grouped: false,
    });
    expect(view.nextHref).toBeNull();
  });

  it('one rule: its alerts, no summary, the cursor of the next page keeps the filters', () => {
    const view = detectionsPageView(
      null,
      { items: [item({ groupedInto: 'x' })], nextCursor: 'abc' },
      ['prod'],
      { rule: ['Attach/Exec Pod'], priority: 'warning', grouped: 'false' },
    );
    expect(view.rule).toBe('Attach/Exec Pod');
    expect(view.rules).toBeNull();
    expect(view.alertsTitle).toBe('detections of Attach/Exec Pod');
    expect(view.alerts[0].grouped).toBe(true);
    expect(view.nextHref).toBe(
      '/detections?rule=Attach%2FExec+Pod&priority=warning&grouped=false&cursor=abc',
    );
    expect(view.allRulesHref).toBe('/detections?priority=warning&grouped=false');
    expect(view.form.priorities.find((p) => p.selected)?.value).toBe('warning');
    expect(view.form.hidden).toEqual([{ name: 'rule', value: 'Attach/Exec Pod' }]);
  });

  it('an event retention removed still lists its alert', () => {
    const gone = { ...item(), event: null };
    const view = detectionsPageView(null, { items: [gone], nextCursor: null }, [], {});
    expect(view.alerts[0].summary).toMatch(/no longer stored/);
  });

  it('builds hrefs in a stable order', () => {
    expect(detectionsHref({})).toBe('/detections');
    expect(detectionsHref({ to: 'now', cluster: ['a', 'b'] }, { cursor: 'c' })).toBe(
      '/detections?cluster=a&cluster=b&to=now&cursor=c',
    );
  });
});

describe('filter bar: detections', () => {
  it('has a checkbox for "has detections" and the rule under More filters', () => {
    const form = filterFormView({ hasDetections: ['true'], detectionRule: ['R'] });
    expect(form.hasDetections).toEqual({ id: 'filter-hasDetections', checked: true });
    expect(form.more.map((f) => f.name)).toContain('detectionRule');
    expect([...form.primary, ...form.more].map((f) => f.name)).not.toContain('hasDetections');
    expect(form.moreOpen).toBe(true);
    expect(form.chips.map((c) => c.field)).toEqual(['Detection rule', 'Has detections']);
    expect(filterFormView({}).hasDetections.checked).toBe(false);
  });
});
