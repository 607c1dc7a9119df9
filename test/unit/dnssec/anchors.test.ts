import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRUST_ANCHOR_FILE, loadTrustAnchors } from '../../../src/dnssec/anchor-file.js';
import { parseTrustAnchors, TrustAnchors } from '../../../src/dnssec/anchors.js';

describe('trust anchors', () => {
  it('the bundled file holds the root KSK-2017 (20326) and KSK-2024 (38696) as SHA-256 DS records', async () => {
    const anchors = await loadTrustAnchors('', []);
    const root = anchors.at('.')!;
    expect(root.ds.map((d) => d.keyTag).sort()).toEqual([20326, 38696]);
    expect(root.ds.every((d) => d.algorithm === 8 && d.digestType === 2 && d.digest.length === 32)).toBe(true);
    expect(root.ds.find((d) => d.keyTag === 20326)!.digest.toString('hex').toUpperCase()).toBe('E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D');
    expect(DEFAULT_TRUST_ANCHOR_FILE).toMatch(/trust-anchors\/root\.ds$/);
  });

  it('reads DS and DNSKEY lines with or without TTL and class, and comments', () => {
    const a = parseTrustAnchors(['; a lab', 'lab. 3600 IN DS 12345 13 2 AABBCC', 'lab. IN DNSKEY 257 3 13 AQID', '', 'corp DS 1 8 2 00ff'].join('\n'));
    expect(a.map((x) => x.zone).sort()).toEqual(['corp', 'lab']);
    const lab = a.find((x) => x.zone === 'lab')!;
    expect(lab.ds[0]).toMatchObject({ keyTag: 12345, algorithm: 13, digestType: 2 });
    expect(lab.dnskeys[0]).toMatchObject({ flags: 257, algorithm: 13 });
  });

  it('the deepest anchor at or above a name starts its chain; none means insecure', () => {
    const t = new TrustAnchors(parseTrustAnchors('. DS 1 8 2 00\ncorp.example DS 2 13 2 00'));
    expect(t.closest('www.corp.example')!.zone).toBe('corp.example');
    expect(t.closest('www.example')!.zone).toBe('.');
    expect(new TrustAnchors(parseTrustAnchors('lab DS 1 13 2 00')).closest('www.example')).toBeUndefined();
  });

  it('a bad line is an error naming the file and the line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anchors-'));
    const file = join(dir, 'bad.ds');
    writeFileSync(file, '; ok\n. DS 20326 8 2 E06D\n. DS 20326 8 2 not-hex\n');
    await expect(loadTrustAnchors(file, [])).rejects.toThrow(`${file} line 3: the DS digest must be hexadecimal`);
    await expect(loadTrustAnchors(file.replace('bad', 'missing'), [])).rejects.toThrow(/cannot read trust anchor file/);
    await expect(loadTrustAnchors('', ['lab. A 1.2.3.4'])).rejects.toThrow("trust-anchors entry 1 line 1: expected a DS or DNSKEY record, got type 'A'");
  });
});
