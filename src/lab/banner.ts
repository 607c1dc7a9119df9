// What `rootline lab` prints: where everything is, how the zones were signed, a dig line per example and the
// `query --trace` / `serve` commands that use the lab's hints and trust anchor. Pure, so tests run the lines.
import type { DnskeyData } from 'dns-packet';
import type { Lab } from './lab.js';

export interface BannerInput {
  lab: Lab;
  prefix: string;
  /** Where the lab's own resolver listens. */
  listen: { address: string; port: number };
  hintsPath: string;
  anchorPath: string;
}

const ALGORITHM_NAMES: Readonly<Record<number, string>> = { 13: 'ECDSA P-256', 14: 'ECDSA P-384', 15: 'Ed25519', 16: 'Ed448' };

const utc = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ');

/** One line on the signing: zones, algorithms, denial, the window and the time it took. */
function signingLine(lab: Lab): string {
  const zones = [...lab.signing.signed.values()];
  const algorithms = new Set(zones.flatMap((z) => z.keys.map((k) => ALGORITHM_NAMES[(k.dnskey as DnskeyData).algorithm] ?? String(k.dnskey.algorithm))));
  const root = lab.signing.signed.get('.');
  const rrsig = root?.zone.records.find((r) => r.type === 'RRSIG')?.data as { inception: number; expiration: number } | undefined;
  const window = rrsig ? `, signatures valid ${utc(rrsig.inception)} → ${utc(rrsig.expiration)} UTC` : '';
  return `signed ${zones.length} zones (${[...algorithms].join(', ')}; NSEC and NSEC3) in ${Math.round(lab.signing.signingMs)} ms${window}`;
}

/** The dig command for one example, against the lab's resolver. */
export function digLine(listen: BannerInput['listen'], e: { name: string; type: string; dig?: string }): string {
  return `dig @${listen.address} -p ${listen.port} ${e.name} ${e.type}${e.dig ? ` ${e.dig}` : ''}`;
}

export function labBanner(b: BannerInput): string[] {
  const { lab, listen } = b;
  const portFlag = lab.port === 53 ? '' : ` --upstream-port ${lab.port}`;
  const files = `--root-hints ${b.hintsPath} --trust-anchor-file ${b.anchorPath}${portFlag}`;
  const digs = lab.examples.map((e) => digLine(listen, e));
  const width = Math.max(...digs.map((d) => d.length)) + 2;
  const rootTag = lab.signing.rootDs.map((r) => (r.data as { keyTag: number }).keyTag).join(', ');
  return [
    `rootline lab: ${lab.servers.length} authoritative servers on ${b.prefix}.x.y:${lab.port}, a rootline resolver on ${listen.address}:${listen.port}`,
    `root hints:   ${b.hintsPath}`,
    `trust anchor: ${b.anchorPath} (DS of the lab root's key ${rootTag}; the real root's anchors are not used)`,
    signingLine(lab),
    '',
    'Try:',
    ...digs.map((d, i) => `  ${d.padEnd(width)}# ${lab.examples[i]!.what}`),
    '',
    'The chain of trust, zone cut by zone cut (and where a bogus one breaks):',
    `  rootline query www.example.com A --trace ${files}`,
    `  rootline query www.wrong-ds.net A --trace ${files}`,
    '',
    'Or run a resolver of your own against the lab:',
    `  rootline serve --listen 127.0.0.1:${listen.port === 5301 ? 5302 : 5301} ${files}`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
}
