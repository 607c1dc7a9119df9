// Whether this host can plausibly reach IPv6 servers: it has a global (non-loopback, non-link-local) IPv6
// address. Read from the interface list only; nothing is sent.
import { networkInterfaces } from 'node:os';

export function hostHasGlobalIpv6(): boolean {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family !== 'IPv6' || a.internal) continue;
      const lower = a.address.toLowerCase();
      if (lower.startsWith('fe80') || lower.startsWith('fc') || lower.startsWith('fd')) continue;
      return true;
    }
  }
  return false;
}
