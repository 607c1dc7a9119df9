// Who a plaintext DoH request behind a reverse proxy really comes from: X-Forwarded-For, read only when the TCP
// peer is a trusted proxy. Each proxy appends the address it was reached from, so the list is read from the right
// and the first hop that is not itself a trusted proxy is the client (nginx's real_ip_recursive, Go's and
// Express's "trust proxy"). Entries to its left were written by the client and prove nothing.
import { isIP } from 'node:net';
import { inAnyCidr, type Cidr } from '../util/cidr.js';

/** "1.2.3.4", "1.2.3.4:5678", "2001:db8::1", "[2001:db8::1]:5678" (some proxies add the port) → the address. */
function addressOf(entry: string): string | null {
  const e = entry.trim();
  if (isIP(e) !== 0) return e;
  const v6 = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(e);
  if (v6 && isIP(v6[1]!) === 6) return v6[1]!;
  const v4 = /^([\d.]+):\d{1,5}$/.exec(e);
  if (v4 && isIP(v4[1]!) === 4) return v4[1]!;
  return null;
}

/**
 * The client address for a request from `peer`: `peer` itself unless it is in `trusted`; then the right-most
 * X-Forwarded-For hop that is not trusted. When every hop is trusted, the left-most; when a hop is not an address,
 * the trusted hop that reported it (a proxy we trust passed on something we cannot use).
 */
export function clientAddress(peer: string, forwardedFor: string | readonly string[] | undefined, trusted: readonly Cidr[]): string {
  if (forwardedFor === undefined || !inAnyCidr(trusted, peer)) return peer;
  const hops = (typeof forwardedFor === 'string' ? [forwardedFor] : forwardedFor).flatMap((h) => h.split(','));
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const entry = hops[i]!.trim();
    if (entry === '') continue;
    const address = addressOf(entry);
    if (address === null) return client;
    client = address;
    if (!inAnyCidr(trusted, address)) return address;
  }
  return client;
}
