// Where the dashboard may listen: ADDR:PORT on loopback, or anywhere once web-password holds a scrypt hash
// (an operator will put it on the LAN; without a password anyone there could steer the resolver).
import { passwordHashError } from '../web/auth.js';
import { parseHostPort } from '../util/host-port.js';

/** Why the dashboard cannot start with these settings, or null when it can. */
export function webListenError(listen: string, passwordHash: string, token: string): string | null {
  const at = parseHostPort(listen, -1);
  if (!at.ok) return `'web-listen' '${listen}': ${at.why} (use ADDR:PORT or [V6]:PORT, e.g. 127.0.0.1:8053)`;
  if (at.port === -1) return `'web-listen' '${listen}' has no port (use ADDR:PORT or [V6]:PORT, e.g. 127.0.0.1:8053)`;
  if (passwordHash !== '') {
    const bad = passwordHashError(passwordHash);
    if (bad) return bad;
  }
  if (token !== '' && token.length < 24) return "'web-token' is too short: use at least 24 random characters (e.g. `openssl rand -base64 24`)";
  const loopback = at.family === 4 ? at.address.startsWith('127.') : at.address === '::1';
  if (!loopback && passwordHash === '') {
    return `refusing to serve the dashboard on ${listen} without a password: set 'web-password' (from \`rootline hash-password\`) or listen on 127.0.0.1`;
  }
  return null;
}
