// RFC 8914 Extended DNS Errors: the info-codes rootline attaches to answers. The wire layer owns them so
// that every stage, the resolver and the responder name the same numbers.

/** RFC 8914 §5 info-codes we use. */
export const EdeCode = {
  OTHER: 0,
  STALE_ANSWER: 3,
  DNSSEC_BOGUS: 6,
  /** §4.16: the operator's policy (a blocklist) blocked the name. */
  BLOCKED: 15,
  /** §4.19: the operator's policy refuses this (a local-zone of type refuse). */
  PROHIBITED: 18,
  /** §4.22: here, a query name with a dot inside a label (it cannot be carried in presentation form). */
  NOT_SUPPORTED: 21,
  NO_REACHABLE_AUTHORITY: 22,
  NETWORK_ERROR: 23,
} as const;

export type EdeCodeValue = (typeof EdeCode)[keyof typeof EdeCode];
