// Who holds a port: the socket in /proc/net/{udp,tcp}[6] bound to it, then the process with that socket among
// its file descriptors. Linux only; what cannot be read (another user's /proc/PID/fd without root) is left out.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface PortHolder {
  pid: number;
  command: string;
}

function inodesOn(port: number): Set<string> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['udp', 'udp6', 'tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; for TCP only listening sockets (state 0A) hold the port.
      if (cols.length < 10 || !cols[1]!.endsWith(`:${hex}`)) continue;
      if (table.startsWith('tcp') && cols[3] !== '0A') continue;
      inodes.add(cols[9]!);
    }
  }
  return inodes;
}

export function holdersOf(port: number): PortHolder[] {
  const inodes = inodesOn(port);
  if (inodes.size === 0) return [];
  const found: PortHolder[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
        return m !== null && inodes.has(m[1]!);
      } catch {
        return false;
      }
    });
    if (!holds) continue;
    let command = '?';
    try {
      command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') || readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
    } catch {
      // gone meanwhile
    }
    found.push({ pid: Number(entry), command });
  }
  return found;
}
