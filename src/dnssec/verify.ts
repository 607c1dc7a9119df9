// One RRSIG checked against one DNSKEY for one RRset: the RFC 4035 §5.3.1 conditions that concern the key and the
// records, then the signature. The validity period is a separate question (rrsigTimeStatus), so a caller can tell
// an expired signature (EDE 7) from a forged one (EDE 6).
import type { DnskeyData, RrsigData } from 'dns-packet';
import type { RR } from '../wire/types.js';
import { isInZone } from '../wire/names.js';
import { isSupportedAlgorithm, verifySignature, type SignatureCheck } from './algorithms.js';
import { canonicalNameWire, rrsigSignedData } from './canonical.js';
import { isZoneKey } from './dnskey.js';
import { keyTag } from './keytag.js';

/** A DNSKEY with its owner name (the zone it belongs to). */
export interface OwnedDnskey {
  name: string;
  data: DnskeyData;
}

/** Why this DNSKEY cannot be the one that made this RRSIG over this RRset, or null when it can. */
function keyMismatch(rrset: readonly RR[], rrsig: RrsigData, dnskey: OwnedDnskey): string | null {
  const key = dnskey.data;
  if (!canonicalNameWire(rrsig.signersName).equals(canonicalNameWire(dnskey.name))) {
    return `signer ${rrsig.signersName} is not the key's owner ${dnskey.name}`;
  }
  if (rrset[0] && !isInZone(rrset[0].name, rrsig.signersName)) {
    return `${rrset[0].name} is outside the signer's zone ${rrsig.signersName}`;
  }
  if (rrsig.algorithm !== key.algorithm) return `RRSIG algorithm ${rrsig.algorithm}, key algorithm ${key.algorithm}`;
  const tag = keyTag(key);
  if (rrsig.keyTag !== tag) return `RRSIG key tag ${rrsig.keyTag}, key tag ${tag}`;
  if (!isZoneKey(key)) return 'the key has no Zone Key flag';
  return null;
}

export function verifyRrsig(rrset: readonly RR[], rrsig: RrsigData, dnskey: OwnedDnskey): SignatureCheck {
  if (!isSupportedAlgorithm(rrsig.algorithm)) return { status: 'unsupported', algorithm: rrsig.algorithm };
  const mismatch = keyMismatch(rrset, rrsig, dnskey);
  if (mismatch) return { status: 'invalid', reason: mismatch };
  const signed = rrsigSignedData(rrset, rrsig);
  if (!signed.ok) return { status: 'invalid', reason: signed.reason };
  return verifySignature(rrsig.algorithm, dnskey.data.key, signed.data, rrsig.signature);
}

export type RrsigTime = 'current' | 'expired' | 'not-yet-valid';

/** RFC 1982 §3.2 on 32-bit values: a is before b when b − a, modulo 2^32, lies in (0, 2^31). */
function serialBefore(a: number, b: number): boolean {
  const distance = (b - a) >>> 0;
  return distance !== 0 && distance < 0x80000000;
}

/**
 * RFC 4035 §5.3.1: valid from Inception through Expiration, both inclusive, compared in serial number arithmetic
 * (RFC 4034 §3.1.5) so the 32-bit times keep working after 2106. `nowSeconds` is injected for tests and the lab.
 */
export function rrsigTimeStatus(rrsig: Pick<RrsigData, 'inception' | 'expiration'>, nowSeconds: number): RrsigTime {
  const now = Math.floor(nowSeconds) >>> 0;
  if (serialBefore(rrsig.expiration, now)) return 'expired';
  if (serialBefore(now, rrsig.inception)) return 'not-yet-valid';
  return 'current';
}
