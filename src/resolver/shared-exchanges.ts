// Identical questions to the same server in flight share one exchange (Unbound's serviced queries): when a burst
// of names under one zone arrives cold, the TLD is asked "d1.com A" once, not once per name that needs it. Only
// the request that sent it is charged for it and only its tries teach server selection; the others wait for its
// result. An exchange never waits on a resolution, so sharing one cannot close a dependency cycle.
import type { ExchangeResult, ServerProfile } from '../upstream/exchange.js';
import { canonical } from '../wire/names.js';
import { serverKey, type ServerAddr } from '../wire/types.js';

export interface SharedExchange {
  result: ExchangeResult;
  /** true: another request's exchange answered this one (nothing was sent for it). */
  joined: boolean;
}

export class SharedExchanges {
  private readonly running = new Map<string, Promise<ExchangeResult>>();

  /** Everything that makes two exchanges the same: server, question, how it is asked. */
  static key(to: ServerAddr, name: string, qtype: string, profile: ServerProfile, recursionDesired: boolean): string {
    const how = `${profile.edns ? 'e' : ''}${profile.tcpOnly ? 't' : ''}${profile.tls ? 's' : ''}${recursionDesired ? 'r' : ''}`;
    return `${serverKey(to)}|${canonical(name)}|${qtype}|${how}`;
  }

  /**
   * The running exchange with this key, joined; else `start()`'s, which others may join until it ends. A joined
   * exchange that was stopped by its owner's budget is no answer for this request: `start()` runs after all.
   */
  async run(key: string, start: () => Promise<ExchangeResult>): Promise<SharedExchange> {
    const running = this.running.get(key);
    if (running) {
      const result = await running;
      if (result.kind !== 'stopped') return { result, joined: true };
    }
    const mine = start();
    this.running.set(key, mine);
    try {
      return { result: await mine, joined: false };
    } finally {
      if (this.running.get(key) === mine) this.running.delete(key);
    }
  }

  /** Exchanges in flight (for tests). */
  get size(): number {
    return this.running.size;
  }
}
