// The contract between listeners and the pipeline: bytes and who sent them in, bytes (or nothing) out.

export interface ClientInfo {
  address: string;
  port: number;
  transport: 'udp' | 'tcp';
}

/** Returns the response bytes, or null to send nothing. Must never throw (listeners guard anyway). */
export type QueryHandler = (query: Buffer, client: ClientInfo) => Promise<Buffer | null> | Buffer | null;
