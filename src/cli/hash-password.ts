/**
 * CLI entry: `npm run hash-password`. Prints the scrypt hash of a password in the format
 * CONSOLE_USERS takes (`scrypt$N$r$p$<salt>$<key>`). The password is read from stdin when it is
 * piped (`printf %s "$PW" | npm run -s hash-password`), otherwise asked for twice on the
 * terminal without echo. It never appears in the process list or the shell history.
 */
import type { Readable, Writable } from 'node:stream';
import { hashPassword } from '../auth/password';

type Input = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/** Everything piped in, without the one line break `echo` adds. */
async function readPiped(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** One line typed on the terminal, not echoed. Ctrl-C or Ctrl-D abort. */
function readHidden(input: Input, prompt: string, err: Writable): Promise<string> {
  err.write(prompt);
  input.setRawMode?.(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      input.setRawMode?.(false);
      input.pause();
      input.off('data', onData);
      err.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003' || char === '\u0004') return done(new Error('aborted'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}

export async function runHashPassword(input: Input, out: Writable, err: Writable): Promise<number> {
  let password: string;
  if (input.isTTY) {
    password = await readHidden(input, 'Password: ', err);
    if ((await readHidden(input, 'Again: ', err)) !== password) {
      err.write('hash-password: the two passwords differ; nothing printed\n');
      return 1;
    }
  } else {
    password = await readPiped(input);
  }
  if (password.length === 0) {
    err.write('hash-password: the password is empty; nothing printed\n');
    return 2;
  }
  out.write(`${await hashPassword(password)}\n`);
  if (input.isTTY) err.write('Add it to CONSOLE_USERS as <name>:<hash>[:group|group]\n');
  return 0;
}

if (require.main === module) {
  runHashPassword(process.stdin, process.stdout, process.stderr).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `hash-password: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
