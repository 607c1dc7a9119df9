// Types for hierarchy.mjs (NSD on loopback for end-to-end tests and benchmarks).
export interface ExtraName {
  name: string;
  type: string;
  expect: 'NOERROR' | 'NXDOMAIN' | 'NODATA';
}
export interface Hierarchy {
  rootHintsPath: string;
  rootHints: string;
  servers: { label: string; address: string; zones: string[]; pid: number }[];
  names: { a: string[]; all: ExtraName[] };
  stop(): Promise<void>;
}
export const EXTRA_NAMES: ExtraName[];
export function startHierarchy(o: { workDir: string; domains?: number; port?: number; prefix?: string; addresses?: { roots: string[]; tld: Record<'com' | 'net' | 'org', string>; auth: string[] }; extra?: boolean; records?: Record<string, string[]> }): Promise<Hierarchy>;
export function stopAll(): Promise<void>;
export function answersUdp(address: string, port: number, timeoutMs?: number): Promise<boolean>;
export function startNsd(dir: string, label: string, address: string, port: number, zones: Record<string, string>): Promise<{ label: string; address: string; zones: string[]; pid: number }>;
export function stopChild(child: unknown): Promise<void>;
