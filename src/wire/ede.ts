// RFC 8914 Extended DNS Errors: the info-codes rootline attaches to answers. The wire layer owns them so
// that every stage, the resolver and the responder name the same numbers.

/** RFC 8914 §5 info-codes we use. */
export const EdeCode = {
  OTHER: 0,
  /** §4.2, §4.3: the zone is signed with an algorithm / its DS uses a digest we cannot check: insecure. */
  UNSUPPORTED_DNSKEY_ALGORITHM: 1,
  UNSUPPORTED_DS_DIGEST: 2,
  STALE_ANSWER: 3,
  /** §4.5: DNSSEC Indeterminate. */
  DNSSEC_INDETERMINATE: 5,
  DNSSEC_BOGUS: 6,
  SIGNATURE_EXPIRED: 7,
  SIGNATURE_NOT_YET_VALID: 8,
  DNSKEY_MISSING: 9,
  RRSIGS_MISSING: 10,
  NSEC_MISSING: 12,
  /** §4.16: the operator's policy (a blocklist) blocked the name. */
  BLOCKED: 15,
  /** §4.19: the operator's policy refuses this (a local-zone of type refuse). */
  PROHIBITED: 18,
  /** §4.22: here, a query name with a dot inside a label (it cannot be carried in presentation form). */
  NOT_SUPPORTED: 21,
  NO_REACHABLE_AUTHORITY: 22,
  NETWORK_ERROR: 23,
  /** §4.28 (RFC 9276): NSEC3 iterations above our limit: the denial is treated as insecure. */
  UNSUPPORTED_NSEC3_ITERATIONS: 27,
} as const;

export type EdeCodeValue = (typeof EdeCode)[keyof typeof EdeCode];
