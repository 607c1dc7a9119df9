// A small scripted hierarchy for the iterator conformance scenarios: root → com → example.com, whose two servers
// (ns1, ns2, both with glue) can be given handlers of their own to replay odd authoritative behaviour.
import { serverKey, type RR } from '../../src/wire/types.js';
import { authoritative, rr, type Handler } from './fake-net.js';
import { makeResolver, type TestResolver } from './resolver.js';

export const ROOT = '127.3.0.1';
export const COM = '127.3.1.1';
export const NS1 = '127.3.2.1';
export const NS2 = '127.3.2.2';

export const EXAMPLE_NS: RR[] = [
  rr.ns('example.com', 'ns1.example.com'), rr.ns('example.com', 'ns2.example.com'),
  rr.a('ns1.example.com', NS1), rr.a('ns2.example.com', NS2),
];

/** The example.com zone as a well-behaved server serves it, with `records` added. */
export function exampleZone(records: RR[] = []): Handler {
  return authoritative('example.com', [...EXAMPLE_NS, rr.a('www.example.com', '192.0.2.1'), ...records]);
}

export interface Hierarchy {
  ns1?: Handler;
  ns2?: Handler;
  /** Records added to the com zone (more delegations). */
  com?: RR[];
  config?: Parameters<typeof makeResolver>[1];
}

export function conformanceHierarchy(h: Hierarchy = {}): TestResolver {
  const t = makeResolver(ROOT, h.config);
  t.net
    .on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('com', 'ns.nic.com'), rr.a('ns.nic.com', COM)]))
    .on(COM, authoritative('com', [rr.ns('com', 'ns.nic.com'), ...EXAMPLE_NS, ...(h.com ?? [])]))
    .on(NS1, h.ns1 ?? exampleZone())
    .on(NS2, h.ns2 ?? exampleZone());
  return t;
}

/** Makes ns2 look slow (an RTO far outside the selection band), so ns1 is always asked first. */
export function preferNs1(t: TestResolver): TestResolver {
  t.infra.reportRtt(serverKey({ address: NS2, port: 53 }), 1000);
  return t;
}

/** The queries sent to the given addresses, as "address name type" with the name in lower case. */
export function sentTo(t: TestResolver, ...addresses: string[]): string[] {
  return t.net.log.filter((l) => addresses.includes(l.to)).map((l) => `${l.to} ${l.name.toLowerCase()} ${l.type}`);
}
