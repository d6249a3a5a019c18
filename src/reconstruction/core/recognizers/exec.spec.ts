import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';
import { execRecognizer } from './exec';

const POD = '/api/v1/namespaces/default/pods/web-1/exec';

describe('exec recognizer', () => {
  it('rebuilds -i -t, the container and the command after --', () => {
    const event = makeEvent(
      'get',
      `${POD}?command=sh&command=-c&command=ls%20-la%20%2Ftmp&container=app&stdin=true&stdout=true&tty=true`,
    );
    const result = reconstruct(event, 'exec', 'exact');
    expect(result.command).toBe(
      "kubectl exec -i -t web-1 -c app -n default -- sh -c 'ls -la /tmp'",
    );
  });

  it('leaves out -i and -t when stdin and tty were not requested', () => {
    const event = makeEvent('create', `${POD}?command=date&container=app&stderr=true&stdout=true`);
    expect(reconstruct(event, 'exec', 'exact').command).toBe(
      'kubectl exec web-1 -c app -n default -- date',
    );
  });

  it('hides credentials in the command and says so', () => {
    const event = makeEvent(
      'get',
      `${POD}?command=mysql&command=-uroot&command=-phunter2&command=--password%3Dhunter2&command=--token&command=abc.def&command=curl%20-H%20%22Authorization%3A%20Bearer%20eyJhbGciOi%22&container=db&stderr=true&stdout=true`,
    );
    const result = reconstruct(event, 'exec', 'partial');
    expect(result.command).toBe(
      "kubectl exec web-1 -c db -n default -- mysql -uroot '-p<redacted>' '--password=<redacted>' --token '<redacted>' 'curl -H \"Authorization: Bearer <redacted>\"'",
    );
    expect(result.command).not.toMatch(/hunter2|abc\.def|eyJhbGciOi/);
    expect(result.notes.join(' ')).toMatch(/credential .*<redacted>/);
  });

  it('hides NAME=value pairs whose name says secret', () => {
    const event = makeEvent(
      'get',
      `${POD}?command=env&command=DB_PASSWORD%3Ds3cret&command=API_TOKEN%3Dt0k&command=MODE%3Dfast&container=app&stderr=true&stdout=true`,
    );
    const { command } = reconstruct(event, 'exec', 'partial');
    expect(command).toContain("'DB_PASSWORD=<redacted>' 'API_TOKEN=<redacted>' MODE=fast");
  });

  it('quotes hostile arguments so the shell runs nothing else', () => {
    const event = makeEvent(
      'get',
      `${POD}?command=echo&command=%27%3B%20rm%20-rf%20%2F%3B%20%27&command=%24(id)&container=a%27b&stderr=true&stdout=true`,
    );
    const { command } = reconstruct(event, 'exec', 'exact');
    expect(command).toBe(
      "kubectl exec web-1 -c 'a'\\''b' -n default -- echo ''\\''; rm -rf /; '\\''' '$(id)'",
    );
  });

  it('marks a missing command as a placeholder', () => {
    const event = makeEvent('get', `${POD}?container=app&stdout=true&stderr=true`);
    expect(reconstruct(event, 'exec', 'partial').command).toBe(
      "kubectl exec web-1 -c app -n default -- '<command>'",
    );
  });

  it('does not claim attach or other subresources', () => {
    expect(
      execRecognizer.matches(
        makeEvent('get', '/api/v1/namespaces/default/pods/web-1/attach?stdout=true'),
      ),
    ).toBe(false);
    expect(execRecognizer.matches(makeEvent('get', '/api/v1/namespaces/default/pods/web-1'))).toBe(
      false,
    );
  });
});

describe('exec recognizer, bounds', () => {
  it('cuts long arguments and long command lines, and says so', () => {
    const many = Array.from({ length: 40 }, () => `command=${'a'.repeat(5000)}`).join('&');
    const result = reconstruct(
      makeEvent('get', `${POD}?${many}&container=app&stdout=true&stderr=true`),
      'exec',
      'partial',
    );
    expect(result.command.length).toBeLessThan(70 * 1024);
    expect(result.command).toMatch(/'\.\.\.<truncated>'$/);
    expect(result.notes.join(' ')).toContain('longer than 4096 characters');
    expect(result.notes.join(' ')).toContain('longer than 64 KiB');
    expect(result.notes.filter((n) => n.includes('4096'))).toHaveLength(1);
  });
});
