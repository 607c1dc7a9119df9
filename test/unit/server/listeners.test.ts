// startListeners on loopback: UDP and TCP on one port (port 0 included), several addresses, bind errors turned
// into one line with a stable code (and what was opened closed again), close() releasing the ports.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, RootlineError } from '../../../src/errors.js';
import { parseListenAddress } from '../../../src/server/listen-address.js';
import { bindError, serveHandles, startListeners, type ListenerOptions, type Listeners } from '../../../src/server/listeners.js';
import { echo, frame, freePort, ids, msg, TcpClient, udpAsk } from './helpers.js';

const OPTS: ListenerOptions = { tcpIdleTimeoutMs: 5000, tcpMaxConnections: 10 };

async function rejection(p: Promise<unknown>): Promise<RootlineError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RootlineError);
    return e as RootlineError;
  }
  throw new Error('expected a rejection');
}

/** True when both TCP and UDP can be bound on host:port right now (and releases them). */
async function portIsFree(host: string, port: number): Promise<boolean> {
  const server = net.createServer();
  const tcp = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, host, () => resolve(true));
  });
  if (tcp) await new Promise((r) => server.close(r));
  const sock = dgram.createSocket('udp4');
  const udp = await new Promise<boolean>((resolve) => {
    sock.once('error', () => resolve(false));
    sock.bind(port, host, () => resolve(true));
  });
  sock.close();
  return tcp && udp;
}

const v6 = await new Promise<boolean>((resolve) => {
  const s = dgram.createSocket('udp6');
  s.once('error', () => resolve(false));
  s.bind(0, '::1', () => {
    s.close();
    resolve(true);
  });
});

describe('startListeners', () => {
  let l: Listeners | null = null;
  const extra: (() => void)[] = [];
  afterEach(async () => {
    await l?.close();
    l = null;
    for (const f of extra.splice(0)) f();
  });

  it('binds UDP and TCP on the same port when port 0 is asked for', async () => {
    l = await startListeners(['127.0.0.1:0'], echo, OPTS);
    expect(l.bound).toHaveLength(1);
    const { address, port, family } = l.bound[0]!;
    expect({ address, family }).toEqual({ address: '127.0.0.1', family: 4 });
    expect(port).toBeGreaterThan(0);
    expect((await udpAsk(port, msg(1)))?.readUInt16BE(0)).toBe(1);
    const c = await TcpClient.connect(port);
    c.write(frame(msg(2)));
    expect(ids(await c.waitFrames(1))).toEqual([2]);
    c.destroy();
  });

  it('binds every address given, each with its own port', async () => {
    const fixed = await freePort('127.0.0.2');
    const addrs = ['127.0.0.1:0', `127.0.0.2:${fixed}`, ...(v6 ? ['[::1]:0'] : [])];
    l = await startListeners(addrs, echo, OPTS);
    expect(l.bound.map((b) => b.address)).toEqual(['127.0.0.1', '127.0.0.2', ...(v6 ? ['::1'] : [])]);
    expect(l.bound[1]!.port).toBe(fixed);
    for (const b of l.bound) expect((await udpAsk(b.port, msg(b.port), 1000, b.address))?.readUInt16BE(0)).toBe(b.port);
  });

  it('reports a TCP port in use as PORT_IN_USE with what to do', async () => {
    const server = net.createServer();
    const port = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as net.AddressInfo).port)));
    extra.push(() => server.close());
    const err = await rejection(startListeners([`127.0.0.1:${port}`], echo, OPTS));
    expect(err.code).toBe(ErrorCode.PORT_IN_USE);
    expect(err.message).toBe(
      `127.0.0.1:${port} is already in use (another DNS server such as systemd-resolved or dnsmasq?). Stop it or use --listen 127.0.0.1:5353`,
    );
  });

  it('reports a UDP port in use and closes the TCP side it had opened', async () => {
    const port = await freePort();
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(port, '127.0.0.1', () => r()));
    extra.push(() => sock.close());
    const err = await rejection(startListeners([`127.0.0.1:${port}`], echo, OPTS));
    expect(err.code).toBe(ErrorCode.PORT_IN_USE);
    await expect(TcpClient.connect(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('closes the addresses already bound when a later one fails', async () => {
    const first = await freePort('127.0.0.2');
    const server = net.createServer();
    const taken = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as net.AddressInfo).port)));
    extra.push(() => server.close());
    const err = await rejection(startListeners([`127.0.0.2:${first}`, `127.0.0.1:${taken}`], echo, OPTS));
    expect(err.code).toBe(ErrorCode.PORT_IN_USE);
    expect(err.message).toMatch(`127.0.0.1:${taken} is already in use`);
    expect(await portIsFree('127.0.0.2', first)).toBe(true);
  });

  it('rejects bad and repeated addresses before binding anything', async () => {
    const port = await freePort();
    const bad = await rejection(startListeners([`127.0.0.1:${port}`, 'localhost:53'], echo, OPTS));
    expect(bad.code).toBe(ErrorCode.LISTEN_ADDR);
    expect(bad.message).toMatch(/localhost/);
    const twice = await rejection(startListeners([`127.0.0.1:${port}`, `127.0.0.1:${port}`], echo, OPTS));
    expect(twice.code).toBe(ErrorCode.LISTEN_ADDR);
    expect(await portIsFree('127.0.0.1', port)).toBe(true);
  });

  it('close() releases both ports and is idempotent', async () => {
    l = await startListeners(['127.0.0.1:0'], echo, OPTS);
    const port = l.bound[0]!.port;
    const t0 = Date.now();
    await Promise.all([l.close(), l.close()]);
    expect(Date.now() - t0).toBeLessThan(2000);
    l = null;
    expect(await portIsFree('127.0.0.1', port)).toBe(true);
  });

  it('serves handles opened elsewhere', async () => {
    const sock = dgram.createSocket('udp4');
    const port = await freePort();
    await new Promise<void>((r) => sock.bind(port, '127.0.0.1', () => r()));
    const server = net.createServer({ allowHalfOpen: true });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    l = serveHandles({ udp: [sock], tcp: [server] }, echo, OPTS);
    expect(l.bound).toEqual([{ address: '127.0.0.1', port, family: 4 }]);
    expect((await udpAsk(port, msg(4)))?.readUInt16BE(0)).toBe(4);
    const c = await TcpClient.connect(port);
    c.write(frame(msg(5)));
    expect(ids(await c.waitFrames(1))).toEqual([5]);
    c.destroy();
    await l.close();
    l = null;
    expect(await portIsFree('127.0.0.1', port)).toBe(true);
  });
});

describe('bindError', () => {
  const errno = (code: string): Error => Object.assign(new Error(`listen ${code}`), { code });

  it('maps EADDRINUSE, EACCES and EADDRNOTAVAIL to a code and one line that says what to do', () => {
    const inUse = bindError(errno('EADDRINUSE'), parseListenAddress('127.0.0.1:53'));
    expect(inUse.code).toBe(ErrorCode.PORT_IN_USE);
    expect(inUse.message).toBe(
      '127.0.0.1:53 is already in use (another DNS server such as systemd-resolved or dnsmasq?). Stop it or use --listen 127.0.0.1:5353',
    );
    const v6InUse = bindError(errno('EADDRINUSE'), parseListenAddress('[::1]:5353'));
    expect(v6InUse.message).toMatch(/^\[::1\]:5353 is already in use .* use --listen \[::1\]:5354$/);

    const eacces = bindError(errno('EACCES'), parseListenAddress('0.0.0.0:53'));
    expect(eacces.code).toBe(ErrorCode.PORT_PRIVILEGED);
    expect(eacces.message).toBe(
      'binding port 53 needs privileges: run as root, grant it with `sudo setcap cap_net_bind_service=+ep $(command -v node)`, or use --listen 127.0.0.1:5353',
    );

    const notHere = bindError(errno('EADDRNOTAVAIL'), parseListenAddress('192.0.2.1:53'));
    expect(notHere.code).toBe(ErrorCode.ADDR_NOT_AVAILABLE);
    expect(notHere.message).toMatch(/^192\.0\.2\.1 is not an address of this machine/);
    for (const e of [inUse, eacces, notHere]) expect(e.message).not.toMatch(/\n/);
  });

  it('keeps other failures, with a code and the address', () => {
    const other = bindError(errno('EMFILE'), parseListenAddress('127.0.0.1:53'), 'udp');
    expect(other.code).toBe(ErrorCode.LISTEN_FAILED);
    expect(other.message).toBe('cannot listen on 127.0.0.1:53 (UDP): listen EMFILE');
  });
});
