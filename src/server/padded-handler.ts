// The handler as the encrypted listeners use it: answers padded (RFC 7830, RFC 8467) when the query asks.
import { padResponse, wantsPadding } from '../wire/padding.js';
import type { QueryHandler } from './types.js';

export function withPadding(handler: QueryHandler): QueryHandler {
  return (query, client) => {
    const out = handler(query, client);
    if (!wantsPadding(query)) return out;
    if (out instanceof Promise) return out.then((bytes) => (bytes === null ? null : padResponse(bytes)));
    return out === null ? null : padResponse(out);
  };
}
