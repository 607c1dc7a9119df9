// Who gets recursion: a query that does not ask for it (RD=0) gets no answer from the resolver or its caches.
import { CONTINUE, REFUSE, type Stage } from './stage.js';

/**
 * Like Unbound's 'allow': no recursion asked (RD=0, RFC 1035 §4.1.1) means REFUSED rather than an answer from
 * the resolver or its cache, which would let anyone snoop what the cache holds. Placed after the local data:
 * that is still answered. The refusal is never cached, and the hot path serves RD=1 queries only.
 */
export const recursionDesiredStage: Stage = {
  name: 'recursion-desired',
  decide: (ctx) => (ctx.rd ? CONTINUE : REFUSE),
};
