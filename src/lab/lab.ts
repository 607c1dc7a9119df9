// Starting and stopping the lab hierarchy: one in-process authoritative server per lab address.
import { writeFile } from 'node:fs/promises';
import { startAuthServer, type AuthServer } from './auth-server.js';
import { labServers, LAB_EXAMPLES, type LabExample } from './lab-zones.js';

export interface Lab {
  port: number;
  servers: AuthServer[];
  /** named.root text naming the lab's root servers. */
  rootHints: string;
  examples: LabExample[];
  writeRootHints(path: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startLab(o: { port: number; prefix: string }): Promise<Lab> {
  const defs = labServers(o.prefix);
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
  return {
    port: o.port,
    servers,
    rootHints,
    examples: LAB_EXAMPLES,
    writeRootHints: (path) => writeFile(path, rootHints),
    stop: async () => void (await Promise.all(servers.map((s) => s.close()))),
  };
}
