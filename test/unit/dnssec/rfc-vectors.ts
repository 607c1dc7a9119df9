// Published DNSSEC examples, transcribed from the RFCs (and their errata where the RFC text is known to be wrong).
// Each value is quoted as printed; a test that fails against one of them is a bug in src/, never in this file.
import type { DnskeyData } from 'dns-packet';
import type { RR } from '../../../src/wire/types.js';

/** RRSIG presentation time YYYYMMDDHHMMSS (RFC 4034 §3.2) → seconds since the epoch. */
export function rrsigTime(text: string): number {
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, i) => Number(text.slice(at, at + (i === 0 ? 4 : 2))));
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) / 1000;
}

export const b64 = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'base64');
export const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

export const dnskey = (flags: number, algorithm: number, key: string): DnskeyData => ({ flags, algorithm, key: b64(key) });

export const rr = (name: string, type: string, ttl: number, data: unknown): RR => ({ name, type, class: 'IN', ttl, data });

/** RFC 4034 §2.3: example.com's DNSKEY; §3.3's RRSIG names its key tag, 2642. */
export const RFC4034_EXAMPLE_COM_KEY = dnskey(
  256,
  5,
  `AQPSKmynfzW4kyBv015MUG2DeIQ3Cbl+BBZH4b/0PY1kxkmvHjcZc8no
   kfzj31GajIQKY+5CptLr3buXA10hWqTkF7H6RfoRqXQeogmMHfpftf6z
   Mv1LyBUgia7za6ZEzOJBOztyvhjL742iU/TpPSEDhm2SNKLijfUppn1U
   aNvv4w==`,
);

/** RFC 4034 §5.4 (and RFC 4509 §2.3): dskey.example.com's DNSKEY, "key id = 60485", with its DS records. */
export const RFC4034_DSKEY = {
  owner: 'dskey.example.com',
  key: dnskey(
    256,
    5,
    `AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/
     2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvx
     egXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9Xzc
     nOf+EPbtG9DMBmADjFDc2w/rljwvFw==`,
  ),
  keyTag: 60485,
  /** RFC 4034 §5.4: DS 60485 5 1. */
  sha1: hex('2BB183AF5F22588179A53B0A98631FAD1A292118'),
  /** RFC 4509 §2.3: DS 60485 5 2. */
  sha256: hex('D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A'),
};

/** RFC 5702 §6.1 (RSA/SHA-256) and §6.2 (RSA/SHA-512): www.example.net. 3600 IN A 192.0.2.91 and its RRSIGs. */
export const RFC5702 = {
  rrset: [rr('www.example.net', 'A', 3600, '192.0.2.91')],
  sha256: {
    key: dnskey(256, 8, 'AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk='),
    keyTag: 9033,
    rrsig: {
      typeCovered: 'A', algorithm: 8, labels: 3, originalTTL: 3600,
      expiration: rrsigTime('20300101000000'), inception: rrsigTime('20000101000000'), keyTag: 9033,
      signersName: 'example.net',
      signature: b64(`kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwl
                      MgNEacFYK/lPtPiVYP4bwg==`),
    },
  },
  sha512: {
    key: dnskey(
      256,
      10,
      `AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVXXyLA3DLroROUkN6X0O6p
       nWnjJQujX/AyhqFDxj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7QNPsgVs
       Mu1J2Q8gpMpztNFLpPBz1bWXjDtaR7ZQBlZ3PFY12ZTSncorffcGmhOL`,
    ),
    keyTag: 3740,
    rrsig: {
      typeCovered: 'A', algorithm: 10, labels: 3, originalTTL: 3600,
      expiration: rrsigTime('20300101000000'), inception: rrsigTime('20000101000000'), keyTag: 3740,
      signersName: 'example.net',
      signature: b64(`tsb4wnjRUDnB1BUi+t6TMTXThjVnG+eCkWqjvvjhzQL1d0YRoOe0CbxrVDYd0xDt
                      suJRaeUw1ep94PzEWzr0iGYgZBWm/zpq+9fOuagYJRfDqfReKBzMweOLDiNa8iP5
                      g9vMhpuv6OPlvpXwm9Sa9ZXIbNl1MBGk0fthPgxdDLw=`),
    },
  },
};

/** RFC 6605 §6.1 (P-256) and §6.2 (P-384): www.example.net. 3600 IN A 192.0.2.1, DNSKEY, DS and RRSIG. */
export const RFC6605 = {
  rrset: [rr('www.example.net', 'A', 3600, '192.0.2.1')],
  p256: {
    key: dnskey(257, 13, `GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb
                          krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==`),
    /** §6.1's private key, "PrivateKey: GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=". */
    privateKey: b64('GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ='),
    keyTag: 55648,
    /** DS 55648 13 2. */
    dsSha256: hex('b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17'),
    rrsig: {
      typeCovered: 'A', algorithm: 13, labels: 3, originalTTL: 3600,
      expiration: rrsigTime('20100909100439'), inception: rrsigTime('20100812100439'), keyTag: 55648,
      signersName: 'example.net',
      signature: b64(`qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXA
                      yGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==`),
    },
  },
  p384: {
    key: dnskey(257, 14, `xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1
                          w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8
                          /uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40`),
    keyTag: 10771,
    /** DS 10771 14 4. */
    dsSha384: hex(`72d7b62976ce06438e9c0bf319013cf801f09ecc84b8
                   d7e9495f27e305c6a9b0563a9b5f4d288405c3008a94
                   6df983d6`),
    rrsig: {
      typeCovered: 'A', algorithm: 14, labels: 3, originalTTL: 3600,
      expiration: rrsigTime('20100909102025'), inception: rrsigTime('20100812102025'), keyTag: 10771,
      signersName: 'example.net',
      signature: b64(`/L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP
                      95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuz
                      WTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm`),
    },
  },
};

/**
 * RFC 8080 §6: example.com. 3600 IN MX 10 mail.example.com., signed with Ed25519 (§6.1) and Ed448 (§6.2), with the
 * private keys, DNSKEYs and DS records. The RRSIGs as first printed were made with Labels 3 (one more than the
 * owner has) and lack the algorithm field; verified erratum 4935 replaced the Ed25519 ones with Labels 2
 * signatures, given here as `rrsig`. The Ed448 signatures are the RFC's own, over Labels 3.
 */
export const RFC8080 = {
  rrset: [rr('example.com', 'MX', 3600, { preference: 10, exchange: 'mail.example.com' })],
  inception: 1438207200,
  expiration: 1440021600,
  ed25519: [
    {
      privateKey: b64('ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI='),
      key: dnskey(257, 15, 'l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4='),
      keyTag: 3613,
      dsSha256: hex('3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b'),
      erratumSignature: b64(`oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeR
                             AvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==`),
      labels3Signature: b64(`Edk+IB9KNNWg0HAjm7FazXyrd5m3Rk8zNZbvNpAcM+ey
                             sqcUOMIjWoevFkjH5GaMWeG96GUVZu6ECKOQmemHDg==`),
    },
    {
      privateKey: b64('DSSF3o0s0f+ElWzj9E/Osxw8hLpk55chkmx0LYN5WiY='),
      key: dnskey(257, 15, 'zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs='),
      keyTag: 35217,
      dsSha256: hex('401781b934e392de492ec77ae2e15d70f6575a1c0bc59c5275c04ebe80c6614c'),
      erratumSignature: b64(`zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT4
                             10QPRITQSqJSnzQoSm5poJ7gD7AQR0O7KuI5k2pcBg==`),
      labels3Signature: b64(`5LL2obmzdqjWI+Xto5eP5adXt/T5tMhasWvwcyW4L3Sz
                             fcRawOle9bodhC+oip9ayUGjY9T/rL4rN3bOuESGDA==`),
    },
  ],
  ed448: [
    {
      key: dnskey(257, 16, `3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPh
                            pj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA`),
      keyTag: 9713,
      dsSha256: hex('6ccf18d5bc5d7fc2fceb1d59d17321402f2aa8d368048db93dd811f5cb2b19c7'),
      labels3Signature: b64(`Nmc0rgGKpr3GKYXcB1JmqqS4NYwhmechvJTqVzt3jR+Q
                             y/lSLFoIk1L+9e39GPL+5tVzDPN3f9kAwiu8KCuPPjtl
                             227ayaCZtRKZuJax7n9NuYlZJIusX0SOIOKBGzG+yWYt
                             z1/jjbzl5GGkWvREUCUA`),
    },
    {
      key: dnskey(257, 16, `kkreGWoccSDmUBGAe7+zsbG6ZAFQp+syPmYUurBRQc3t
                            DjeMCJcVMRDmgcNLp5HlHAMy12VoISsA`),
      keyTag: 38353,
      labels3Signature: b64(`+JjANio/LIzp7osmMYE5XD3H/YES8kXs5Vb9H8MjPS8O
                             AGZMD37+LsCIcjg5ivt0d4Om/UaqETEAsJjaYe56CEQP
                             5lhRWuD2ivBqE0zfwJTyp4WqvpULbpvaukswvv/WNEFx
                             zEYQEIm9+xDlXj4pMAMA`),
    },
  ],
};

/** The root zone's KSK-2017 (IANA root-anchors.xml): key tag 20326, DS 20326 8 2 E06D44B8…. */
export const ROOT_KSK_2017 = {
  key: dnskey(
    257,
    8,
    `AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlN
     Vz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+
     sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555
     KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=`,
  ),
  keyTag: 20326,
  dsSha256: hex('E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D'),
};

/** RFC 5155 Appendix A: hashed owner names in the example zone (NSEC3PARAM 1 0 12 aabbccdd). */
export const RFC5155_SALT = hex('aabbccdd');
export const RFC5155_ITERATIONS = 12;
export const RFC5155_HASHES: readonly (readonly [string, string])[] = [
  ['example', '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom'],
  ['a.example', '35mthgpgcu1qg68fab165klnsnk3dpvl'],
  ['ai.example', 'gjeqe526plbf1g8mklp59enfd789njgi'],
  ['ns1.example', '2t7b4g4vsa5smi47k61mv5bv1a22bojr'],
  ['ns2.example', 'q04jkcevqvmu85r014c7dkba38o0ji5r'],
  ['w.example', 'k8udemvp1j2f7eg6jebps17vp3n8i58h'],
  ['*.w.example', 'r53bq7cc2uvmubfu5ocmm6pers9tk9en'],
  ['x.w.example', 'b4um86eghhds6nea196smvmlo4ors995'],
  ['y.w.example', 'ji6neoaepv8b5o6k4ev33abha8ht9fgc'],
  ['x.y.w.example', '2vptu5timamqttgl4luu9kg21e0aor3s'],
  ['xx.example', 't644ebqk9bibcna874givr6joj62mlhv'],
];

/**
 * RFC 4035 Appendix A, the signed zone example. (RSASHA1, key tag 38519; every RRSIG valid 20040409183619 to
 * 20040509183619.) Its signatures are real, so they verify: the apex NSEC (Appendix A) and the MX answer
 * synthesised from the wildcard *.w.example (Appendix B.6, Labels 2 against a four-label owner).
 */
export const RFC4035 = {
  zsk: dnskey(
    256,
    5,
    `AQOy1bZVvpPqhg4j7EJoM9rI3ZmyEx2OzDBVrZy/lvI5CQePxXHZS4i8dANH4DX3tbHol61e
     k8EFMcsGXxKciJFHyhl94C+NwILQdzsUlSFovBZsyl/NX6yEbtw/xN9ZNcrbYvgjjZ/UVPZI
     ySFNsgEYvh0z2542lzMKR4Dh8uZffQ==`,
  ),
  zskTag: 38519,
  inception: rrsigTime('20040409183619'),
  expiration: rrsigTime('20040509183619'),
  apexNsec: rr('example', 'NSEC', 3600, { nextDomain: 'a.example', rrtypes: ['NS', 'SOA', 'MX', 'RRSIG', 'NSEC', 'DNSKEY'] }),
  apexNsecSignature: b64(`O0k558jHhyrC97ISHnislm4kLMW48C7U7cBmFTfhke5iVqNRVTB1STLMpgpbDIC9hcryoO0V
                          Z9ME5xPzUEhbvGnHd5sfzgFVeGxr5Nyyq4tWSDBgIBiLQUv1ivy29vhXy7WgR62dPrZ0PWvm
                          jfFJ5arXf4nPxp/kEowGgBRzY/U=`),
  wildcardMx: rr('a.z.w.example', 'MX', 3600, { preference: 1, exchange: 'ai.example' }),
  wildcardMxSignature: b64(`OMK8rAZlepfzLWW75Dxd63jy2wswESzxDKG2f9AMN1CytCd10cYISAxfAdvXSZ7xujKAtPbc
                            tvOQ2ofO7AZJ+d01EeeQTVBPq4/6KCWhqe2XTjnkVLNvvhnc0u28aoSsG0+4InvkkOHknKxw
                            4kX18MMR34i8lC36SR5xBni8vHI=`),
};
