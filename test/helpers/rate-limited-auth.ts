// A rate-limiting authority for tests, after the response rate limiting of NSD, BIND and Knot: past `perSecond`
// UDP answers in one second of the clock, answers are dropped, and every `slip`-th dropped answer goes out
// instead as an empty truncated reply (TC=1), which tells an honest client to ask again over TCP (RFC 7766 §5).
// TCP is never limited (a spoofed source cannot complete a handshake). One bucket for all clients.
import * as dnsPacket from 'dns-packet';
import type { Clock } from '../../src/util/clock.js';
import type { Handler } from './fake-net.js';

export interface RrlStats {
  answered: number;
  dropped: number;
  slipped: number;
  /** Queries over TCP: the retries the slips asked for. */
  tcp: number;
}

export function rateLimited(inner: Handler, clock: Clock, o: { perSecond: number; slip: number }): { handler: Handler; stats: RrlStats } {
  const stats: RrlStats = { answered: 0, dropped: 0, slipped: 0, tcp: 0 };
  let second = -1;
  let answeredThisSecond = 0;
  let overLimit = 0;
  const handler: Handler = (q, opts) => {
    if (opts.tcp) {
      stats.tcp++;
      return inner(q, opts);
    }
    const now = Math.floor(clock.nowMs() / 1000);
    if (now !== second) {
      second = now;
      answeredThisSecond = 0;
    }
    if (answeredThisSecond < o.perSecond) {
      answeredThisSecond++;
      stats.answered++;
      return inner(q, opts);
    }
    if (++overLimit % o.slip === 0) {
      stats.slipped++;
      return { type: 'response', flags: dnsPacket.TRUNCATED_RESPONSE, questions: q.questions as dnsPacket.Question[] };
    }
    stats.dropped++;
    return 'drop';
  };
  return { handler, stats };
}
