// Cold-cache latency (issue 10), on the fake network: identical questions in flight to one server are sent once.
import { describe, expect, it } from 'vitest';
import { RecordingTrace } from '../../src/resolver/trace.js';
import { Rcode } from '../../src/wire/types.js';
import { authoritative, rr, type Handler } from '../helpers/fake-net.js';
import { makeResolver } from '../helpers/resolver.js';

const ROOT = '127.6.0.1';
const AUTH = '127.6.1.1';
const A = (name: string) => ({ name, type: 'A', class: 'IN' }) as const;
const rootZone = authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns.example'), rr.a('ns.example', AUTH, 86400)]);
const exampleZone = authoritative('example', [rr.ns('example', 'ns.example'), rr.a('ns.example', AUTH, 86400), rr.a('www1.example', '192.0.2.1'), rr.a('www2.example', '192.0.2.2')]);

/** A handler whose replies wait until `open()` (so that concurrent queries are all sent first). */
function gated(h: Handler): { handler: Handler; open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  return { handler: async (q, o) => (await gate, h(q, o)), open };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('identical questions in flight', () => {
  it('two cold names under one zone ask the root for that zone once: the second waits for the first one’s reply', async () => {
    const t = makeResolver(ROOT);
    t.net.on(ROOT, rootZone).on(AUTH, exampleZone);
    await t.resolver.resolve({ name: '.', type: 'NS', class: 'IN' }); // primed
    const g = gated(rootZone);
    t.net.on(ROOT, g.handler);
    const trace = new RecordingTrace();
    const one = t.resolver.resolve(A('www1.example'));
    const two = t.resolver.resolve(A('www2.example'), trace);
    for (let i = 0; i < 10; i++) await tick();
    g.open();
    const [r1, r2] = await Promise.all([one, two]);
    expect([r1.rcode, r2.rcode]).toEqual([Rcode.NOERROR, Rcode.NOERROR]);
    expect(r2.answer.map((x) => x.data)).toEqual(['192.0.2.2']);
    const toRoot = t.net.log.filter((l) => l.to === ROOT && l.name.toLowerCase() === 'example');
    expect(toRoot).toHaveLength(1);
    // Each name is still asked of its zone's server.
    expect(t.net.log.filter((l) => l.to === AUTH).map((l) => l.name.toLowerCase()).sort()).toEqual(['www1.example', 'www2.example']);
    // The trace of the one that joined says so.
    expect(trace.events.some((e) => e.kind === 'upstream' && e.address === ROOT && e.shared === true)).toBe(true);
  });
});
