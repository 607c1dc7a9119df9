// Starting and stopping the lab hierarchy: its zones signed (sign-lab.ts), one in-process authoritative server per
// lab address, and the two files a resolver needs to use it: the root hints and the lab root's DS.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { startAuthServer, type AuthServer } from './auth-server.js';
import { LAB_EXAMPLES, LAB_SIGNING, labServers, type LabExample } from './lab-zones.js';
import { dsLine, signLab, type SignedLab } from './sign-lab.js';

export interface Lab {
  port: number;
  servers: AuthServer[];
  /** named.root text naming the lab's root servers. */
  rootHints: string;
  /** The lab root's DS in zone-file form, one line each: the only trust anchor of a resolver using the lab. */
  trustAnchor: string;
  /** The signed zones, the root's DS and the signing time. */
  signing: SignedLab;
  examples: LabExample[];
  /** Writes the root hints to `path` and the trust anchor beside them (trustAnchorPathFor); returns the latter. */
  writeRootHints(path: string): Promise<string>;
  stop(): Promise<void>;
}

/** Where the lab's trust anchor goes: `lab.root.ds` beside the hints file. */
export function trustAnchorPathFor(hintsPath: string): string {
  return join(dirname(hintsPath), 'lab.root.ds');
}

export interface LabOptions {
  port: number;
  prefix: string;
  /** The signing clock (RRSIG inception and expiration are computed from it); default the system time. */
  nowMs?: () => number;
}

export async function startLab(o: LabOptions): Promise<Lab> {
  const signing = signLab(labServers(o.prefix), LAB_SIGNING, (o.nowMs ?? Date.now)());
  const defs = signing.servers;
  const servers: AuthServer[] = [];
  try {
    for (const d of defs) {
      const s = await startAuthServer(d.address, o.port, d.zones);
      if (d.lame) s.override = () => ({ type: 'response', flags: 5 });
      servers.push(s);
    }
  } catch (e) {
    await Promise.all(servers.map((s) => s.close()));
    throw e;
  }
  const roots = defs.filter((d) => d.label.endsWith('.root.lab'));
  const rootHints = roots.map((r) => `.  3600000  NS  ${r.label}.\n${r.label}.  3600000  A  ${r.address}\n`).join('');
  const trustAnchor = signing.rootDs.map((r) => `${dsLine(r)}\n`).join('');
  return {
    port: o.port,
    servers,
    rootHints,
    trustAnchor,
    signing,
    examples: LAB_EXAMPLES,
    writeRootHints: async (path) => {
      const anchorPath = trustAnchorPathFor(path);
      await Promise.all([writeFile(path, rootHints), writeFile(anchorPath, trustAnchor)]);
      return anchorPath;
    },
    stop: async () => void (await Promise.all(servers.map((s) => s.close()))),
  };
}
