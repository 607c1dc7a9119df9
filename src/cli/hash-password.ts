// `rootline hash-password`: reads a password (typed twice without echo on a terminal, or one line from a pipe)
// and prints its scrypt hash, the value for `web-password:` in the config file.
import { hashPassword } from '../web/auth.js';

const MIN_LENGTH = 8;

/** One line typed on the terminal, not shown. */
function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let typed = '';
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          stdin.off('data', onData);
          stdin.setRawMode(false);
          stdin.pause();
          process.stderr.write('\n');
          resolve(typed);
          return;
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          reject(new Error('interrupted'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function readPiped(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export async function runHashPassword(): Promise<void> {
  let password: string;
  if (process.stdin.isTTY) {
    password = await askHidden('Dashboard password: ');
    if ((await askHidden('Again: ')) !== password) {
      process.stderr.write('rootline hash-password: the two passwords differ\n');
      process.exit(1);
    }
  } else {
    password = await readPiped();
  }
  if (password.length < MIN_LENGTH) {
    process.stderr.write(`rootline hash-password: use at least ${MIN_LENGTH} characters\n`);
    process.exit(1);
  }
  process.stdout.write(`${await hashPassword(password)}\n`);
  if (process.stdout.isTTY) process.stderr.write("Put it in the config file as: web-password: '<the line above>'\n");
}
