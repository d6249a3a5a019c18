import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const URI = '/api/v1/namespaces/prod/pods/web-1';

function options(extra: object) {
  return { kind: 'DeleteOptions', apiVersion: 'v1', ...extra };
}

describe('delete recognizer', () => {
  it('is exact for kubectl default options', () => {
    const event = makeEvent('delete', URI, { body: options({ propagationPolicy: 'Background' }) });
    expect(reconstruct(event, 'delete', 'exact').command).toBe('kubectl delete pods web-1 -n prod');
  });

  it.each([
    [{ propagationPolicy: 'Foreground' }, '--cascade=foreground'],
    [{ propagationPolicy: 'Orphan' }, '--cascade=orphan'],
    [{ propagationPolicy: 'Background', gracePeriodSeconds: 0 }, '--grace-period=0 --force'],
    [{ propagationPolicy: 'Background', gracePeriodSeconds: 1 }, '--now'],
    [{ propagationPolicy: 'Background', gracePeriodSeconds: 45 }, '--grace-period=45'],
    [{ propagationPolicy: 'Background', dryRun: ['All'] }, '--dry-run=server'],
  ])('turns %j into %s', (extra, flags) => {
    const event = makeEvent('delete', URI, { body: options(extra) });
    expect(reconstruct(event, 'delete', 'exact').command).toBe(
      `kubectl delete pods web-1 ${flags} -n prod`,
    );
  });

  it('is partial when DeleteOptions were not recorded, or hold what kubectl cannot send', () => {
    reconstruct(makeEvent('delete', URI), 'delete', 'partial');
    const event = makeEvent('delete', URI, {
      body: options({ propagationPolicy: 'Background', preconditions: { uid: 'u-1' } }),
    });
    expect(reconstruct(event, 'delete', 'partial').notes.join(' ')).toContain('preconditions');
  });

  it('rebuilds deletecollection as delete --raw', () => {
    const event = makeEvent(
      'deletecollection',
      '/api/v1/namespaces/prod/pods?labelSelector=app%3Dweb',
      {
        userAgent: 'manager/v0.0.0 (linux/amd64) kubernetes/$Format',
      },
    );
    const result = reconstruct(event, 'delete', 'equivalent');
    expect(result.command).toBe(
      "kubectl delete --raw '/api/v1/namespaces/prod/pods?labelSelector=app%3Dweb'",
    );
    expect(result.notes[0]).toContain('manager (a client-go program)');
  });
});
