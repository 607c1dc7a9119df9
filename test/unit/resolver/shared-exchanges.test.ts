import { describe, expect, it } from 'vitest';
import type { ExchangeResult } from '../../../src/upstream/exchange.js';
import { SharedExchanges } from '../../../src/resolver/shared-exchanges.js';

const addr = { address: '192.0.2.1', port: 53 };
const profile = { edns: true, randomCase: false };

function deferred(): { promise: Promise<ExchangeResult>; resolve: (r: ExchangeResult) => void } {
  let resolve!: (r: ExchangeResult) => void;
  const promise = new Promise<ExchangeResult>((r) => (resolve = r));
  return { promise, resolve };
}

describe('SharedExchanges', () => {
  it('the same question to the same server in flight is sent once; the second caller gets the first one’s result', async () => {
    const shared = new SharedExchanges();
    const key = SharedExchanges.key(addr, 'WWW.Example', 'A', profile, false);
    expect(key).toBe(SharedExchanges.key(addr, 'www.example.', 'A', profile, false));
    const d = deferred();
    let started = 0;
    const start = (): Promise<ExchangeResult> => (started++, d.promise);
    const first = shared.run(key, start);
    const second = shared.run(key, start);
    d.resolve({ kind: 'timeout' });
    expect(await first).toEqual({ result: { kind: 'timeout' }, joined: false });
    expect(await second).toEqual({ result: { kind: 'timeout' }, joined: true });
    expect(started).toBe(1);
    expect(shared.size).toBe(0);
  });

  it('another server, type, or way of asking is another exchange', () => {
    const base = SharedExchanges.key(addr, 'www.example', 'A', profile, false);
    expect(SharedExchanges.key({ ...addr, address: '192.0.2.2' }, 'www.example', 'A', profile, false)).not.toBe(base);
    expect(SharedExchanges.key(addr, 'www.example', 'AAAA', profile, false)).not.toBe(base);
    expect(SharedExchanges.key(addr, 'www.example', 'A', { ...profile, edns: false }, false)).not.toBe(base);
    expect(SharedExchanges.key(addr, 'www.example', 'A', profile, true)).not.toBe(base);
  });

  it('an exchange its owner’s budget stopped is no answer for the one that joined it: that one sends its own', async () => {
    const shared = new SharedExchanges();
    const key = SharedExchanges.key(addr, 'www.example', 'A', profile, false);
    const d = deferred();
    const first = shared.run(key, () => d.promise);
    const second = shared.run(key, () => Promise.resolve<ExchangeResult>({ kind: 'timeout' }));
    d.resolve({ kind: 'stopped' });
    expect((await first).result.kind).toBe('stopped');
    expect(await second).toEqual({ result: { kind: 'timeout' }, joined: false });
  });
});
