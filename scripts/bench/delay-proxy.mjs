// A DNS-aware UDP/TCP delay-and-loss proxy: one listener per public server address, each forwarding to the real
// server behind it with a one-way delay in each direction (base ± jitter, uniform) and, for UDP, a chance of
// dropping each datagram in each direction. It stands in for `tc netem`, which this kernel does not have.
//
// UDP: the query's ID is rewritten to one unique on the upstream socket, so any number of clients (and any
// number of retries with the same ID) map back correctly; the original ID is restored on the reply.
// TCP: the connection is accepted at once but not read for one round trip (the handshake a real path costs);
// every chunk is then delayed by a one-way delay, in order. No loss on TCP (a real kernel would retransmit).
import dgram from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

/** Wall-clock ms with sub-ms precision, comparable across the processes of one run. */
export const wallMs = () => performance.timeOrigin + performance.now();

/** The question of a query (uncompressed, as every query's is): lower-cased name and numeric type, or null. */
export function questionOf(msg) {
  const labels = [];
  let o = 12;
  while (o < msg.length) {
    const len = msg[o];
    if (len === 0) {
      if (o + 3 > msg.length) return null;
      return { name: labels.length ? labels.join('.').toLowerCase() : '.', type: msg.readUInt16BE(o + 1) };
    }
    if (len > 63 || o + 1 + len > msg.length) return null;
    labels.push(msg.toString('latin1', o + 1, o + 1 + len));
    o += 1 + len;
  }
  return null;
}

/**
 * @param {{ routes: { listen: string, port: number, target: string, targetPort: number, delayMs: number, jitterMs: number }[], loss?: number }} o
 */
export async function startDelayProxy({ routes, loss = 0 }) {
  const state = { loss, stats: { udpIn: 0, udpOut: 0, droppedIn: 0, droppedOut: 0, tcpConns: 0 }, log: [] };
  const closers = [];
  const timers = new Set();
  const later = (ms, fn) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, Math.max(0, ms));
    timers.add(t);
  };
  const lost = () => state.loss > 0 && Math.random() < state.loss;

  for (const r of routes) {
    const oneWay = () => r.delayMs + (r.jitterMs ? (Math.random() * 2 - 1) * r.jitterMs : 0);
    // UDP
    const front = dgram.createSocket('udp4');
    const back = dgram.createSocket('udp4');
    const pending = new Map(); // upstream ID -> { address, port, id, at }
    let nextId = Math.floor(Math.random() * 65536);
    front.on('message', (msg, rinfo) => {
      if (msg.length < 12) return;
      state.stats.udpIn++;
      // The query log (for the benchmark's accounting): when it reached the proxy, and when its reply was handed
      // back to the resolver (null: dropped, or never answered).
      const q = questionOf(msg);
      const entry = { t: wallMs(), srv: r.listen, role: r.role ?? null, name: q?.name ?? null, type: q?.type ?? null, replied: null };
      state.log.push(entry);
      if (lost()) {
        state.stats.droppedIn++;
        return;
      }
      let id = nextId;
      for (let i = 0; i < 65536 && pending.has(id); i++) id = (id + 1) & 0xffff;
      nextId = (id + 1) & 0xffff;
      pending.set(id, { address: rinfo.address, port: rinfo.port, id: msg.readUInt16BE(0), at: Date.now(), entry });
      const copy = Buffer.from(msg);
      copy.writeUInt16BE(id, 0);
      later(oneWay(), () => back.send(copy, r.targetPort, r.target));
    });
    back.on('message', (msg) => {
      if (msg.length < 12) return;
      const p = pending.get(msg.readUInt16BE(0));
      if (!p) return;
      pending.delete(msg.readUInt16BE(0));
      state.stats.udpOut++;
      if (lost()) {
        state.stats.droppedOut++;
        return;
      }
      msg.writeUInt16BE(p.id, 0);
      later(oneWay(), () => {
        p.entry.replied = wallMs();
        front.send(msg, p.port, p.address);
      });
    });
    front.on('error', () => {});
    back.on('error', () => {});
    await new Promise((res, rej) => {
      front.once('error', rej);
      front.bind(r.port, r.listen, () => res());
    });
    await new Promise((res) => back.bind(0, res));
    const sweep = setInterval(() => {
      const old = Date.now() - 10_000;
      for (const [k, v] of pending) if (v.at < old) pending.delete(k);
    }, 5000);
    // TCP
    const conns = new Set();
    const server = net.createServer((client) => {
      state.stats.tcpConns++;
      conns.add(client);
      client.pause();
      const upstream = net.connect(r.targetPort, r.target);
      conns.add(upstream);
      const pipe = (from, to) => {
        let last = 0; // keep order: a chunk never overtakes the one before it
        from.on('data', (d) => {
          last = Math.max(Date.now() + oneWay(), last);
          later(last - Date.now(), () => to.writable && to.write(d));
        });
        from.on('end', () => later(Math.max(last - Date.now(), oneWay()), () => to.end()));
        from.on('error', () => to.destroy());
        from.on('close', () => conns.delete(from));
      };
      pipe(client, upstream);
      pipe(upstream, client);
      later(2 * oneWay(), () => client.resume());
    });
    server.on('error', () => {});
    await new Promise((res, rej) => {
      server.once('error', rej);
      server.listen(r.port, r.listen, () => res());
    });
    closers.push(() => {
      clearInterval(sweep);
      front.close();
      back.close();
      for (const c of conns) c.destroy();
      server.close();
    });
  }
  return {
    setLoss(x) {
      state.loss = x;
    },
    stats: () => ({ ...state.stats }),
    /** Every UDP query since the last reset: { t, srv, role, name, type, replied } (times: wallMs()). */
    queryLog: () => state.log,
    resetStats() {
      for (const k of Object.keys(state.stats)) state.stats[k] = 0;
      state.log = [];
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const c of closers) c();
    },
  };
}
