// RFC 4034 Appendix B key tags, checked against the tags the RFCs print next to their example keys.
import { describe, expect, it } from 'vitest';
import { keyTag } from '../../../src/dnssec/keytag.js';
import { dnskey, RFC4034_DSKEY, RFC4034_EXAMPLE_COM_KEY, RFC5702, RFC6605, RFC8080, ROOT_KSK_2017 } from './rfc-vectors.js';

describe('keyTag', () => {
  it.each([
    ['RFC 4034 §2.3/§3.3 example.com', RFC4034_EXAMPLE_COM_KEY, 2642],
    ['RFC 4034 §5.4 dskey.example.com', RFC4034_DSKEY.key, RFC4034_DSKEY.keyTag],
    ['RFC 5702 §6.1 RSASHA256', RFC5702.sha256.key, RFC5702.sha256.keyTag],
    ['RFC 5702 §6.2 RSASHA512', RFC5702.sha512.key, RFC5702.sha512.keyTag],
    ['RFC 6605 §6.1 P-256', RFC6605.p256.key, RFC6605.p256.keyTag],
    ['RFC 6605 §6.2 P-384', RFC6605.p384.key, RFC6605.p384.keyTag],
    ['RFC 8080 §6.1 Ed25519 #1', RFC8080.ed25519[0]!.key, RFC8080.ed25519[0]!.keyTag],
    ['RFC 8080 §6.1 Ed25519 #2', RFC8080.ed25519[1]!.key, RFC8080.ed25519[1]!.keyTag],
    ['RFC 8080 §6.2 Ed448 #1', RFC8080.ed448[0]!.key, RFC8080.ed448[0]!.keyTag],
    ['RFC 8080 §6.2 Ed448 #2', RFC8080.ed448[1]!.key, RFC8080.ed448[1]!.keyTag],
    ['root KSK-2017', ROOT_KSK_2017.key, ROOT_KSK_2017.keyTag],
  ])('%s', (_label, key, tag) => {
    expect(keyTag(key)).toBe(tag);
  });

  it('depends on the flags, which are part of the RDATA (a revoked key has another tag, RFC 5011 §2.1)', () => {
    const revoked = { ...ROOT_KSK_2017.key, flags: ROOT_KSK_2017.key.flags | 0x0080 };
    expect(keyTag(revoked)).not.toBe(ROOT_KSK_2017.keyTag);
  });

  it('takes RSA/MD5 tags from the modulus, not the RDATA sum (Appendix B.1)', () => {
    const key = dnskey(257, 1, Buffer.from([0x01, 0x03, 0xaa, 0xbb, 0x12, 0x34, 0x56]).toString('base64'));
    expect(keyTag(key)).toBe(0x1234);
    // Two different RSA/MD5 keys whose moduli end alike share a tag (vector from miekg/dns TestRSAMD5KeyTag).
    const a = dnskey(257, 1, 'AwEAAcntNdoMnY8pvyPcpDTAaiqHyAhf53XUBANq166won/fjBFvmuzhTuP5r4el/pV0tzEBL73zpoU48BqF66uiL+qRijXCySJiaBUvLNll5rpwuduAOoVpmwOmkC4fV6izHOAx/Uy8c+pYP0YR8+1P7GuTFxgnMmt9sUGtoe+la0X/');
    const b = dnskey(257, 1, 'AwEAAf0bKO/m45ylk5BlSLmQHQRBLx1m/ZUXvyPFB387bJXxnTk6so3ub97L1RQ+8bOoiRh3Qm5EaYihjco7J8b/W5WbS3tVsE79nY584RfTKT2zcZ9AoFP2XLChXxPIf/6l0H9n6sH0aBjsG8vabEIp8e06INM3CXVPiMRPPeGNa0Ub');
    expect(keyTag(a)).toBe(27461);
    expect(keyTag(b)).toBe(27461);
  });
});
