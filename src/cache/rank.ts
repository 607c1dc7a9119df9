// Trust ranking of cached data, after RFC 2181 §5.4.1: data from a better source replaces data from a worse one,
// never the other way round while the old data is still fresh.

export const Rank = {
  /** Additional-section data, e.g. glue in a referral. Used to reach servers, never served as an answer. */
  ADDITIONAL: 1,
  /** Authority section of a non-authoritative answer: a referral's NS set. */
  AUTHORITY_NONAUTH: 2,
  /** Answer section of a non-authoritative answer. */
  ANSWER_NONAUTH: 3,
  /** Authority section of an authoritative answer (e.g. the SOA of a negative answer, apex NS). */
  AUTHORITY_AUTH: 4,
  /** Answer section of an authoritative answer. */
  ANSWER_AUTH: 5,
} as const;
export type RankValue = (typeof Rank)[keyof typeof Rank];

/** The least rank that may be served to a client as an answer (glue and referral NS sets are not). */
export const MIN_ANSWER_RANK: RankValue = Rank.ANSWER_NONAUTH;
