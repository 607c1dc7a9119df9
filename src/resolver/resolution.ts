// What resolving one client question gives the pipeline: the sections to send, and why it failed or is stale.
import type { ExtendedError } from '../wire/edns.js';
import type { RR } from '../wire/types.js';
import type { LimitName } from './limits.js';
import type { Security } from './step.js';

export interface Resolution {
  rcode: number;
  answer: RR[];
  authority: RR[];
  /** RFC 8914 Extended DNS Error explaining a failure or a stale answer. */
  ede?: ExtendedError;
  /** Served from expired cache (RFC 8767): not to be kept in the answer cache. */
  stale?: boolean;
  /** The limit that made this resolution fail, if one did. */
  limit?: LimitName;
  /** DNSSEC: what validation said of every part of the answer (AD=1 only when secure, RFC 4035 §3.2.3). */
  security?: Security;
  /** The RRSIGs and denial proofs a DO=1 client gets (RFC 4035 §3.2.1), per section. */
  dnssec?: { answer: RR[]; authority: RR[] };
}
