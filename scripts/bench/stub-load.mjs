// A stub-like UDP load generator: every name once (type A, RD set), at most `concurrency` outstanding, each
// query retried with the same ID after `tryMs` without an answer, `tries` times in all (like a real stub:
// 1 s, 3 tries); unanswered after the last try's timeout. Answer time is from the first send to the answer.
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';

function encodeQuery(id, name, qtype = 1) {
  const parts = [Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of name.replace(/\.$/, '').split('.').filter(Boolean)) parts.push(Buffer.from([l.length]), Buffer.from(l, 'ascii'));
  parts.push(Buffer.from([0, qtype >> 8, qtype & 0xff, 0, 1]));
  return Buffer.concat(parts);
}

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** Nearest-rank percentile of a sorted array. */
export function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * `spans`: when given (an array), spans[i] is set to [first send, answer] of names[i] in wall-clock ms
 * (performance.timeOrigin-based, comparable with the delay proxy's query log).
 */
export function runStubLoad({ host, port, names, concurrency = 200, tryMs = 1000, tries = 3, limitMs = 600_000, spans }) {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const inflight = new Map(); // id -> { i, sentAt, tries, timer, packet }
    const times = [];
    const rcodes = {};
    let unanswered = 0;
    let retried = 0;
    let next = 0;
    let done = 0;
    const t0 = performance.now();
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(cap);
      for (const q of inflight.values()) clearTimeout(q.timer);
      unanswered += inflight.size;
      inflight.clear();
      s.close();
      const sorted = [...times].sort((a, b) => a - b);
      const r1 = (x) => (x === null ? null : Math.round(x * 10) / 10);
      resolve({
        names: names.length,
        answered: times.length,
        unanswered,
        retried,
        rcodes,
        servfail: rcodes.SERVFAIL ?? 0,
        meanMs: r1(times.length ? times.reduce((a, b) => a + b, 0) / times.length : null),
        p50Ms: r1(percentile(sorted, 50)),
        p90Ms: r1(percentile(sorted, 90)),
        p95Ms: r1(percentile(sorted, 95)),
        p99Ms: r1(percentile(sorted, 99)),
        maxMs: r1(sorted.length ? sorted[sorted.length - 1] : null),
        wallSec: Math.round((performance.now() - t0) / 10) / 100,
        cappedAfterMs: capped ? limitMs : undefined,
      });
    };
    let capped = false;
    const cap = setTimeout(() => {
      capped = true;
      finish();
    }, limitMs);
    const complete = () => {
      done++;
      if (done === names.length) finish();
      else launch();
    };
    const send = (q) => {
      q.tries++;
      s.send(q.packet, port, host);
      q.timer = setTimeout(() => {
        if (q.tries < tries) {
          if (q.tries === 1) retried++;
          send(q);
        } else {
          inflight.delete(q.id);
          unanswered++;
          complete();
        }
      }, tryMs);
    };
    const launch = () => {
      while (inflight.size < concurrency && next < names.length) {
        const i = next++;
        const id = (i + 1) & 0xffff;
        const q = { i, id, tries: 0, timer: null, packet: encodeQuery(id, names[i]), sentAt: performance.now() };
        inflight.set(id, q);
        send(q);
      }
    };
    s.on('message', (msg) => {
      if (msg.length < 12 || !(msg[2] & 0x80)) return;
      const q = inflight.get(msg.readUInt16BE(0));
      if (!q) return; // a late answer to a query already given up, or a duplicate
      clearTimeout(q.timer);
      inflight.delete(q.id);
      const now = performance.now();
      times.push(now - q.sentAt);
      if (spans) spans[q.i] = [performance.timeOrigin + q.sentAt, performance.timeOrigin + now];
      const rc = RCODES[msg[3] & 0x0f] ?? `RCODE${msg[3] & 0x0f}`;
      rcodes[rc] = (rcodes[rc] ?? 0) + 1;
      complete();
    });
    s.on('error', () => {});
    s.bind(0, '127.0.0.1', () => (names.length ? launch() : finish()));
  });
}
