// Where the metrics endpoint may listen: an ADDR:PORT on loopback, or anywhere once metrics-allow-remote says
// so (the endpoint has no authentication; what it shows — counts, memory — is for the operator only).
import { parseHostPort } from '../util/host-port.js';

/** Why `value` cannot be the metrics address, or null when it can. */
export function metricsListenError(value: string, allowRemote: boolean): string | null {
  const at = parseHostPort(value, -1);
  if (!at.ok) return `'metrics-listen' '${value}': ${at.why} (use ADDR:PORT or [V6]:PORT, e.g. 127.0.0.1:9153)`;
  if (at.port === -1) return `'metrics-listen' '${value}' has no port (use ADDR:PORT or [V6]:PORT, e.g. 127.0.0.1:9153)`;
  const loopback = at.family === 4 ? at.address.startsWith('127.') : at.address === '::1';
  if (!allowRemote && !loopback) {
    return `'metrics-listen' ${value} is not a loopback address; the metrics endpoint has no authentication, so set 'metrics-allow-remote: true' to serve it there (and firewall it)`;
  }
  return null;
}

/** The address to bind, once metricsListenError said yes. */
export function metricsBindAddress(value: string): { address: string; port: number } {
  const at = parseHostPort(value, -1);
  if (!at.ok) throw new Error(at.why);
  return { address: at.address, port: at.port };
}
