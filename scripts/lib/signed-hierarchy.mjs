// A DNSSEC-signed hierarchy generated with Debian's ldns tools (ldns-keygen, ldns-signzone, ldns-key2ds; package
// ldnsutils) and served by real NSD instances on loopback: for the DNSSEC end-to-end tests and the validation-cost
// benchmark. Signing with a signer that is not ours means a validator bug cannot hide behind a matching signer bug.
//
// Zones are described as specs (below); the generator makes the keys, signs every zone after its children (so each
// parent holds its children's DS), applies the breakage a spec asks for (after signing, as an attacker or an
// operator's mistake would), and starts one NSD per server address. Every process started is stopped by PID.
//
// A zone spec:
//   name        'example.sec' ('.' for the root)
//   server      address of the NSD serving it (zones sharing a server share one NSD; a parent and its child
//               must be on different servers, or NSD answers for the child itself and hides the delegation)
//   algorithm   an ldns-keygen algorithm name (RSASHA256, ECDSAP256SHA256, ED25519, …) or null: unsigned
//   splitKeys   a KSK and a ZSK (as the real root) instead of one combined key
//   denial      'nsec' (default) or { nsec3: true, iterations, salt, optOut }
//   window      { inception, expiration } in Unix seconds (default: an hour ago to 30 days ahead)
//   records     zone-file lines relative to the origin (NS, the server's glue and SOA are added)
//   ds          how the parent's DS looks: 'auto' (default for signed zones), 'none' (an insecure delegation: the
//               child may still be signed — an island of security), 'other-key' (the digest of a key the zone
//               does not publish), { algorithm: N } / { digestType: N } (the real DS with one field rewritten)
//   tamper      (signed zone text) => text, applied after signing: strip an RRSIG, the DNSKEYs, forge an address
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startNsd, stopChild } from './hierarchy.mjs';

const run = promisify(execFile);
const DAY = 86_400;

const apex = (name) => (name === '.' ? '.' : `${name}.`);
const parentOf = (name) => (name === '.' ? null : name.includes('.') ? name.slice(name.indexOf('.') + 1) : '.');
const nsName = (name) => (name === '.' ? 'ns.root-servers.' : `ns1.${name}.`);
const fileBase = (name) => (name === '.' ? 'root' : name);

/** The default signature window: valid from an hour ago for 30 days. */
export function defaultWindow(now = Math.floor(Date.now() / 1000)) {
  return { inception: now - 3600, expiration: now + 30 * DAY };
}

/** Runs `jobs` (functions returning promises) at most `limit` at a time: the machine has two cores. */
async function pool(jobs, limit) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

async function keygen(dir, zone, algorithm, ksk) {
  const bits = algorithm.startsWith('RSA') ? ['-b', ksk ? '2048' : '1024'] : [];
  const { stdout } = await run('ldns-keygen', ['-a', algorithm, ...bits, ...(ksk ? ['-k'] : []), apex(zone)], { cwd: dir });
  return join(dir, stdout.trim());
}

/** The DS of a key (SHA-256), as a zone-file line: `name. 3600 IN DS tag alg 2 hex`. */
async function dsOf(keyBase) {
  const { stdout } = await run('ldns-key2ds', ['-n', '-2', `${keyBase}.key`]);
  return stdout.trim().split('\n')[0];
}

function dsFor(spec, realDs, otherKeyDs) {
  const f = (otherKeyDs ?? realDs).split(/\s+/);
  // owner ttl IN DS keytag algorithm digesttype digest
  if (spec.ds && typeof spec.ds === 'object') {
    if (spec.ds.algorithm !== undefined) f[5] = String(spec.ds.algorithm);
    if (spec.ds.digestType !== undefined) f[6] = String(spec.ds.digestType);
  }
  return f.join(' ');
}

function soaLine(name) {
  const host = name === '.' ? 'root-servers.' : `${name}.`;
  return `${apex(name)} 3600 IN SOA ${nsName(name)} hostmaster.${host} 2026120601 7200 900 1209600 300`;
}

/**
 * Generates and signs the zones of `specs` in `workDir` (keys, unsigned and signed zone files, the root's DS as
 * `root.ds`), and returns the zone texts to serve per server address, plus the root hints and trust anchor.
 */
export async function generateSignedZones(specs, { workDir, concurrency = 2 } = {}) {
  mkdirSync(workDir, { recursive: true });
  const keysDir = join(workDir, 'keys');
  const zonesDir = join(workDir, 'zones');
  mkdirSync(keysDir, { recursive: true });
  mkdirSync(zonesDir, { recursive: true });
  const byName = new Map(specs.map((s) => [s.name, s]));
  if (!byName.has('.')) throw new Error('signed hierarchy: no root zone (name ".") in the specs');
  for (const s of specs) {
    const p = parentOf(s.name);
    if (p !== null && !byName.has(p)) throw new Error(`signed hierarchy: zone ${s.name} has no parent ${p} in the specs`);
    if (p !== null && byName.get(p).server === s.server) throw new Error(`signed hierarchy: ${s.name} and its parent ${p} are both on ${s.server}`);
  }

  // 1. Keys (independent of each other), and the DS each parent will hold.
  const keys = new Map();
  await pool(
    specs.filter((s) => s.algorithm).map((s) => async () => {
      const ksk = await keygen(keysDir, s.name, s.algorithm, true);
      const zsk = s.splitKeys ? await keygen(keysDir, s.name, s.algorithm, false) : null;
      const other = s.ds === 'other-key' ? await keygen(keysDir, s.name, s.algorithm, true) : null;
      const realDs = await dsOf(ksk);
      const otherDs = other ? await dsOf(other) : null;
      // The unused key's files must not be picked up as the zone's own: ldns-signzone reads only the keys named.
      keys.set(s.name, { signWith: zsk ? [ksk, zsk] : [ksk], ds: dsFor(s, realDs, otherDs), realDs });
    }),
    concurrency,
  );

  // 2. Zone texts: SOA, NS and glue, the spec's records, each child's delegation (NS, glue, DS unless 'none').
  const children = new Map(specs.map((s) => [s.name, []]));
  for (const s of specs) if (s.name !== '.') children.get(parentOf(s.name)).push(s);
  const unsignedText = (s) => {
    const lines = [`$ORIGIN ${apex(s.name)}`, '$TTL 3600', soaLine(s.name), `${apex(s.name)} NS ${nsName(s.name)}`, `${nsName(s.name)} A ${s.server}`, ...(s.records ?? [])];
    for (const c of children.get(s.name)) {
      lines.push(`${apex(c.name)} NS ${nsName(c.name)}`, `${nsName(c.name)} A ${c.server}`);
      if (c.algorithm && c.ds !== 'none') lines.push(keys.get(c.name).ds);
    }
    return lines.join('\n') + '\n';
  };

  // 3. Sign (the DS records are already in place, so the order does not matter), then tamper.
  const texts = new Map();
  await pool(
    specs.map((s) => async () => {
      const unsigned = join(zonesDir, `${fileBase(s.name)}.zone`);
      writeFileSync(unsigned, unsignedText(s));
      if (!s.algorithm) {
        texts.set(s.name, readFileSync(unsigned, 'utf8'));
        return;
      }
      const w = s.window ?? defaultWindow();
      const d = s.denial && s.denial !== 'nsec' ? s.denial : null;
      const nsec3 = d?.nsec3 ? ['-n', '-t', String(d.iterations ?? 0), ...(d.salt ? ['-s', d.salt] : []), ...(d.optOut ? ['-p'] : [])] : [];
      const signed = join(zonesDir, `${fileBase(s.name)}.signed`);
      await run('ldns-signzone', [...nsec3, '-i', String(w.inception), '-e', String(w.expiration), '-o', apex(s.name), '-f', signed, unsigned, ...keys.get(s.name).signWith]);
      let text = readFileSync(signed, 'utf8');
      if (s.tamper) text = s.tamper(text);
      writeFileSync(signed, text);
      texts.set(s.name, text);
    }),
    concurrency,
  );

  const perServer = new Map();
  for (const s of specs) {
    if (!perServer.has(s.server)) perServer.set(s.server, {});
    perServer.get(s.server)[s.name] = texts.get(s.name);
  }
  const root = byName.get('.');
  const rootHints = `.  3600000  NS  ${nsName('.')}\n${nsName('.')}  3600000  A  ${root.server}\n`;
  const rootHintsPath = join(workDir, 'named.root');
  writeFileSync(rootHintsPath, rootHints);
  const trustAnchorPath = join(workDir, 'root.ds');
  writeFileSync(trustAnchorPath, keys.get('.').realDs + '\n');
  return { perServer, texts, rootHintsPath, trustAnchorPath, trustAnchor: keys.get('.').realDs, ds: new Map([...keys].map(([n, k]) => [n, k.ds])) };
}

/** Generates the zones of `specs` (see generateSignedZones) and starts one NSD per server address on `port`. */
export async function startSignedHierarchy(specs, { workDir, port = 53, concurrency = 2 } = {}) {
  const started = Date.now();
  const generated = await generateSignedZones(specs, { workDir, concurrency });
  const signingMs = Date.now() - started;
  const servers = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => stopChild(s.child)));
  };
  try {
    const results = await Promise.allSettled(
      [...generated.perServer].map(([address, zones], i) => startNsd(join(workDir, `nsd-${i + 1}`), `nsd-${i + 1}`, address, port, zones)),
    );
    for (const r of results) if (r.status === 'fulfilled') servers.push(r.value);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (e) {
    await stop();
    throw e;
  }
  return { ...generated, signingMs, servers: servers.map(({ label, address, zones, pid }) => ({ label, address, zones, pid })), stop };
}

// Tampering helpers for `tamper`: ldns-signzone writes one record a line, fields separated by tabs or spaces.
const fields = (line) => line.trim().split(/\s+/);

/** Removes the RRSIG over `type` at `owner` (absolute, with the trailing dot). */
export function stripRrsig(owner, type) {
  return (text) => text.split('\n').filter((l) => !(fields(l)[0] === owner && fields(l)[3] === 'RRSIG' && fields(l)[4] === type)).join('\n');
}

/** Removes the zone's DNSKEY RRset and the RRSIG over it: a zone whose parent has a DS but that publishes no key. */
export function stripDnskeys(apexName) {
  return (text) =>
    text
      .split('\n')
      .filter((l) => {
        const f = fields(l);
        return !(f[0] === apexName && (f[3] === 'DNSKEY' || (f[3] === 'RRSIG' && f[4] === 'DNSKEY')));
      })
      .join('\n');
}

/** Replaces the address of `owner`'s A record after signing: what an on-path forger would serve. */
export function forgeA(owner, from, to) {
  return (text) => {
    let found = false;
    const out = text
      .split('\n')
      .map((l) => {
        const f = fields(l);
        if (f[0] === owner && f[3] === 'A' && f[4] === from) {
          found = true;
          return l.replace(from, to);
        }
        return l;
      })
      .join('\n');
    if (!found) throw new Error(`forgeA: no ${owner} A ${from} in the signed zone`);
    return out;
  };
}
