// The contract between listeners and the pipeline: bytes and who sent them in, bytes (or nothing) out.

import type { ClientInfo } from '../policy/stage.js';

/** Listeners name the client with the type policy decides on. */
export type { ClientInfo };

/** Returns the response bytes, or null to send nothing. Must never throw (listeners guard anyway). */
export type QueryHandler = (query: Buffer, client: ClientInfo) => Promise<Buffer | null> | Buffer | null;

/** A DNS header is 12 bytes (RFC 1035 §4.1.1); anything shorter has no ID to answer to and is dropped unseen. */
export const MIN_QUERY_LEN = 12;

/** How long close() waits for answers in flight before it drops what is left. */
export const DEFAULT_CLOSE_GRACE_MS = 2000;
