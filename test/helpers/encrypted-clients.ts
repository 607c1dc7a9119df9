// Clients for DNS over TLS and DNS over HTTPS in tests: Node's own tls, http2 and https modules.
import * as http2 from 'node:http2';
import * as https from 'node:https';
import * as tls from 'node:tls';
import * as dnsPacket from 'dns-packet';
import { frameMessage, StreamFramer } from '../../src/wire/framing.js';
import { PADDING_OPTION } from '../../src/wire/padding.js';

/** A query with EDNS and, when asked, an empty Padding option (RFC 7830 §4: the client pads its own query too). */
export function paddedQuery(name: string, type: string, id: number, pad: boolean): Buffer {
  const options = pad ? [{ code: PADDING_OPTION, data: Buffer.alloc(8) }] : [];
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as 'A', class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options } as unknown as dnsPacket.Answer],
  });
}

export interface DotConnection {
  socket: tls.TLSSocket;
  /** Sends every query at once (pipelined) and resolves with the replies in the order they came. */
  exchange(queries: Buffer[], timeoutMs?: number): Promise<Buffer[]>;
  close(): void;
}

export function connectDot(port: number, ca: Buffer, o: tls.ConnectionOptions = {}): Promise<DotConnection> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ALPNProtocols: ['dot'], ...o });
    const framer = new StreamFramer();
    let waiting: { want: number; got: Buffer[]; done: (b: Buffer[]) => void } | null = null;
    socket.on('data', (c: Buffer) => {
      framer.push(c);
      for (let m = framer.next(); m !== null; m = framer.next()) {
        waiting?.got.push(m);
        if (waiting && waiting.got.length === waiting.want) waiting.done(waiting.got);
      }
    });
    socket.once('secureConnect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve({
        socket,
        exchange: (queries, timeoutMs = 5000) =>
          new Promise((done, fail) => {
            const timer = setTimeout(() => fail(new Error(`only ${waiting?.got.length} of ${queries.length} replies`)), timeoutMs);
            waiting = { want: queries.length, got: [], done: (b) => (clearTimeout(timer), done(b)) };
            socket.write(Buffer.concat(queries.map(frameMessage)));
          }),
        close: () => socket.destroy(),
      });
    });
    socket.once('error', reject);
  });
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request over HTTP/2. */
export function h2Request(session: http2.ClientHttp2Session, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':method': method, ':path': path, ...headers });
    const chunks: Buffer[] = [];
    let status = 0;
    let got: HttpReply['headers'] = {};
    req.on('response', (h) => {
      status = Number(h[':status']);
      got = h;
    });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve({ status, headers: got, body: Buffer.concat(chunks) }));
    req.on('error', reject);
    req.end(body);
  });
}

export function connectH2(port: number, ca: Buffer): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const s = http2.connect(`https://localhost:${port}`, { ca, host: '127.0.0.1', servername: 'localhost' } as http2.SecureClientSessionOptions);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** One request over HTTP/1.1 (ALPN http/1.1 only), with the protocol the server agreed to. */
export function http1Request(port: number, ca: Buffer, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}, localAddress?: string): Promise<HttpReply & { alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions & tls.ConnectionOptions = { host: '127.0.0.1', port, servername: 'localhost', ca, method, path, headers, ALPNProtocols: ['http/1.1'], agent: false, ...(localAddress ? { localAddress } : {}) };
    const req = https.request(options, (res) => {
      const alpn = (res.socket as tls.TLSSocket).alpnProtocol ?? false;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), alpn }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
