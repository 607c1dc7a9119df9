// `rootline ctl`'s side of the control socket: send one request, wait for the one reply line.
import * as net from 'node:net';
import type { ControlReply, ControlRequest } from './protocol.js';

export type Sent = { kind: 'reply'; reply: ControlReply } | { kind: 'unreachable'; why: string };

export function sendControl(path: string, req: ControlRequest, timeoutMs: number): Promise<Sent> {
  return new Promise((resolve) => {
    const conn = net.connect(path);
    let buffered = '';
    let done = false;
    const finish = (s: Sent): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      conn.destroy();
      resolve(s);
    };
    const timer = setTimeout(() => finish({ kind: 'unreachable', why: `no reply within ${timeoutMs} ms` }), timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(JSON.stringify(req) + '\n'));
    conn.on('data', (chunk: string) => {
      buffered += chunk;
      const end = buffered.indexOf('\n');
      if (end < 0) return;
      try {
        finish({ kind: 'reply', reply: JSON.parse(buffered.slice(0, end)) as ControlReply });
      } catch {
        finish({ kind: 'unreachable', why: 'the reply was not JSON' });
      }
    });
    conn.on('error', (e: NodeJS.ErrnoException) => finish({ kind: 'unreachable', why: e.code ?? e.message }));
    conn.on('end', () => finish({ kind: 'unreachable', why: 'the server closed the connection without a reply' }));
  });
}
