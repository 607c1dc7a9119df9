// Loading the trust anchors the config names: `trust-anchor-file` (default: the bundled root anchors) plus the
// inline `trust-anchors` entries. A bad line is an error naming the file (or key) and the line.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, RootlineError } from '../errors.js';
import { AnchorSyntaxError, parseTrustAnchors, TrustAnchors, type TrustAnchor } from './anchors.js';

/** The root zone's KSK-2017 and KSK-2024 as DS records, shipped with the package. */
export const DEFAULT_TRUST_ANCHOR_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../trust-anchors/root.ds');

function parse(text: string, where: string): TrustAnchor[] {
  try {
    return parseTrustAnchors(text);
  } catch (e) {
    if (e instanceof AnchorSyntaxError) throw new RootlineError(ErrorCode.CONFIG_VALUE, `${where} line ${e.line}: ${e.message}`);
    throw e;
  }
}

export async function loadTrustAnchors(file: string, inline: readonly string[]): Promise<TrustAnchors> {
  const path = file || DEFAULT_TRUST_ANCHOR_FILE;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new RootlineError(ErrorCode.CONFIG_VALUE, `cannot read trust anchor file ${path}: ${(e as Error).message}`);
  }
  const anchors = parse(text, path);
  inline.forEach((line, i) => anchors.push(...parse(line, `trust-anchors entry ${i + 1}`)));
  if (anchors.length === 0) throw new RootlineError(ErrorCode.CONFIG_VALUE, `${path}: no DS or DNSKEY record (validation needs at least one trust anchor; set dnssec-validation: false to turn it off)`);
  return new TrustAnchors(anchors);
}
