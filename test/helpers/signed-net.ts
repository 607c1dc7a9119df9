// A signed hierarchy on a FakeNet, for validator tests: zones written as lab zone text, signed by plan (including the
// broken ways: expired, not yet valid, stripped or corrupt RRSIGs, a DS that matches no key, no DS at all), each
// served by the lab answerer at its address, and the root DS as trust anchor lines.
import { answerQuery, type Zone } from '../../src/lab/answerer.js';
import type { LabServer, LabSigning } from '../../src/lab/lab-zones.js';
import { dsLine, signLab, type SignedLab } from '../../src/lab/sign-lab.js';
import type { FakeNet } from './fake-net.js';

export interface SignedNet extends SignedLab {
  /** The root's DS in zone-file form, for `trustAnchors:` (one line per DS). */
  trustAnchors: string[];
}

/**
 * Signs `servers`' zones by `plan` at `nowMs` (a ManualClock's now: the signatures are valid around it) and has
 * `net` answer for each server address with the signed zones (DO=1 gets RRSIGs and denial proofs).
 */
export function serveSigned(net: FakeNet, servers: readonly { address: string; zones: Zone[] }[], plan: Readonly<Record<string, LabSigning>>, nowMs: number): SignedNet {
  const defs: LabServer[] = servers.map((s) => ({ label: s.address, address: s.address, zones: s.zones }));
  const lab = signLab(defs, plan, nowMs);
  for (const s of lab.servers) net.on(s.address, (q) => answerQuery(s.zones, q));
  return { ...lab, trustAnchors: lab.rootDs.map(dsLine) };
}
