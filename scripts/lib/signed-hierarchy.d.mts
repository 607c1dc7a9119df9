// Types for signed-hierarchy.mjs (an ldns-signed hierarchy on NSD for the DNSSEC end-to-end tests and benchmark).
export interface SignatureWindow {
  /** Unix seconds. */
  inception: number;
  expiration: number;
}
export interface ZoneSpec {
  name: string;
  server: string;
  algorithm: string | null;
  splitKeys?: boolean;
  denial?: 'nsec' | { nsec3: true; iterations?: number; salt?: string; optOut?: boolean };
  window?: SignatureWindow;
  records?: string[];
  ds?: 'auto' | 'none' | 'other-key' | { algorithm?: number; digestType?: number };
  tamper?: (signedText: string) => string;
}
export interface SignedZones {
  perServer: Map<string, Record<string, string>>;
  /** Each zone's text as served (signed and tampered, or unsigned). */
  texts: Map<string, string>;
  rootHintsPath: string;
  trustAnchorPath: string;
  /** The root KSK's DS line. */
  trustAnchor: string;
  /** Each signed zone's DS line as its parent holds it (for ds: 'none', the DS it would have). */
  ds: Map<string, string>;
}
export interface SignedHierarchy extends SignedZones {
  signingMs: number;
  servers: { label: string; address: string; zones: string[]; pid: number }[];
  stop(): Promise<void>;
}
export function defaultWindow(now?: number): SignatureWindow;
export function generateSignedZones(specs: ZoneSpec[], o: { workDir: string; concurrency?: number }): Promise<SignedZones>;
export function startSignedHierarchy(specs: ZoneSpec[], o: { workDir: string; port?: number; concurrency?: number }): Promise<SignedHierarchy>;
export function stripRrsig(owner: string, type: string): (text: string) => string;
export function stripDnskeys(apex: string): (text: string) => string;
export function forgeA(owner: string, from: string, to: string): (text: string) => string;
