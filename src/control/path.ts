// Where the control socket lives: `control-socket` when set to a path; 'auto' picks systemd's RuntimeDirectory
// (/run/rootline) when it exists, else a socket next to the config file, else none; 'off' is none.
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../config/schema.js';

export const SYSTEM_CONTROL_DIR = '/run/rootline';
export const SYSTEM_CONTROL_SOCKET = join(SYSTEM_CONTROL_DIR, 'control.sock');
export const CONFIG_SIDE_SOCKET = 'rootline.sock';

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function controlSocketPath(config: Pick<Config, 'controlSocket'>, configFile: string | undefined): string | null {
  if (config.controlSocket === 'off') return null;
  if (config.controlSocket !== 'auto') return config.controlSocket;
  if (writable(SYSTEM_CONTROL_DIR)) return SYSTEM_CONTROL_SOCKET;
  return configFile ? join(dirname(configFile), CONFIG_SIDE_SOCKET) : null;
}

/**
 * Where `rootline ctl` looks without --control: the config's explicit path, else the system socket when it
 * exists (the server may run as another user than ctl), else the one next to the config file.
 */
export function clientSocketPath(config: Pick<Config, 'controlSocket'> | null, configFile: string | undefined): string {
  if (config && config.controlSocket !== 'auto' && config.controlSocket !== 'off') return config.controlSocket;
  if (existsSync(SYSTEM_CONTROL_SOCKET) || !configFile) return SYSTEM_CONTROL_SOCKET;
  return join(dirname(configFile), CONFIG_SIDE_SOCKET);
}
