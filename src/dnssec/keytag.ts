// RFC 4034 Appendix B: the key tag, a 16-bit hint that picks candidate DNSKEYs for an RRSIG or a DS. Not unique:
// several keys can share one, so a matching tag only says which keys to try.
import type { DnskeyData } from 'dns-packet';
import { dnskeyRdata } from './dnskey.js';

/** RFC 4034 Appendix A.1: RSA/MD5, whose key tag is computed differently (Appendix B.1). */
const RSAMD5 = 1;

export function keyTag(key: DnskeyData): number {
  // Appendix B.1: for algorithm 1 the tag is the most significant 16 of the least significant 24 bits of the
  // modulus, i.e. the third- and second-to-last octets of the public key.
  if (key.algorithm === RSAMD5) {
    const k = key.key;
    return k.length < 3 ? 0 : (k[k.length - 3]! << 8) | k[k.length - 2]!;
  }
  // Appendix B: the RDATA summed as 16-bit big-endian words, the carry folded back in once.
  const rdata = dnskeyRdata(key);
  let sum = 0;
  for (let i = 0; i < rdata.length; i++) sum += i & 1 ? rdata[i]! : rdata[i]! << 8;
  sum += (sum >>> 16) & 0xffff;
  return sum & 0xffff;
}
