import { PassThrough, Readable } from 'node:stream';
import { SCRYPT_HASH } from '../config/auth-environment';
import { verifyPassword } from '../auth/password';
import { runHashPassword } from './hash-password';

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe('npm run hash-password', () => {
  it('hashes a piped password (without its line break) in the CONSOLE_USERS format', async () => {
    const out = collect();
    const err = collect();
    const code = await runHashPassword(Readable.from(['pä$$ word:|,\n']), out.stream, err.stream);
    expect(code).toBe(0);
    const hash = out.text().trimEnd();
    expect(hash).toMatch(SCRYPT_HASH);
    expect(await verifyPassword('pä$$ word:|,', hash)).toBe(true);
    expect(await verifyPassword('pä$$ word:|,\n', hash)).toBe(false);
    expect(out.text()).not.toContain('word');
  });

  it('gives each hash its own salt', async () => {
    const first = collect();
    const second = collect();
    await runHashPassword(Readable.from(['same']), first.stream, collect().stream);
    await runHashPassword(Readable.from(['same']), second.stream, collect().stream);
    expect(first.text()).not.toBe(second.text());
  });

  it('refuses an empty password', async () => {
    const out = collect();
    const err = collect();
    expect(await runHashPassword(Readable.from(['\n']), out.stream, err.stream)).toBe(2);
    expect(out.text()).toBe('');
    expect(err.text()).toContain('the password is empty');
  });

  it('asks twice on a terminal without echo, and refuses two different answers', async () => {
    const terminal = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
    const out = collect();
    const err = collect();
    const run = runHashPassword(terminal, out.stream, err.stream);
    terminal.write('secret\r');
    await new Promise((resolve) => setImmediate(resolve));
    terminal.write('sEcret\r');
    expect(await run).toBe(1);
    expect(err.text()).toBe(
      'Password: \nAgain: \nhash-password: the two passwords differ; nothing printed\n',
    );
    expect(out.text()).toBe('');
  });
});
