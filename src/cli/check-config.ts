// `rootline check-config [FILE]`: the same loader as `serve` (every error names file, line and key; exit 1),
// a few start-up checks that need no sockets (listen addresses, the user and group), then the effective
// settings — defaults with the file on top — printed as YAML that is itself a valid config file (exit 0).
import { Document } from 'yaml';
import { CONFIG_KEYS } from '../config/keys.js';
import type { Config, LocalZoneRule, ZoneEntry } from '../config/schema.js';
import { parseListenAddress } from '../server/listen-address.js';
import { planPrivilegeDropCheck } from '../server/privileges.js';
import { exitWithError } from './common.js';
import { resolveConfig } from './serve.js';

/** Where the systemd unit (contrib/rootline.service) reads its config. */
export const SYSTEM_CONFIG_FILE = '/etc/rootline/rootline.yaml';

function serverText(s: ZoneEntry['servers'][number]): string {
  return s.address.includes(':') ? `[${s.address}]:${s.port}` : `${s.address}@${s.port}`;
}

/** One setting as the config file writes it (zone servers and local-zone rules back to their text forms). */
function fileValue(field: keyof Config, value: Config[keyof Config]): unknown {
  if (field === 'forwardZones' || field === 'stubZones') {
    return (value as ZoneEntry[]).map((z) => ({ name: z.name, servers: z.servers.map(serverText), fallback: z.fallback, tcp: z.tcp }));
  }
  if (field === 'localZones' && Array.isArray(value)) return (value as LocalZoneRule[]).map((r) => `${r.name} ${r.type}`);
  return value;
}

/** The effective settings as a YAML config file: every key, except the ones left unset ('' = not given). */
export function effectiveYaml(config: Config, file: string): string {
  const settings: Record<string, unknown> = {};
  for (const k of CONFIG_KEYS) {
    const value = config[k.field];
    if (value === '') continue;
    settings[k.key] = fileValue(k.field, value);
  }
  const doc = new Document(settings);
  doc.commentBefore = ` rootline: effective settings of ${file} (defaults, then the file)`;
  return doc.toString({ lineWidth: 0 });
}

export async function checkConfig(file: string): Promise<Config> {
  const config = await resolveConfig({ config: file });
  config.listen.forEach(parseListenAddress);
  planPrivilegeDropCheck(config);
  return config;
}

export async function runCheckConfig(file: string | undefined): Promise<void> {
  const path = file ?? SYSTEM_CONFIG_FILE;
  try {
    const config = await checkConfig(path);
    process.stdout.write(effectiveYaml(config, path));
  } catch (e) {
    exitWithError(e);
  }
}
