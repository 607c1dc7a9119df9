// `ctl servers` for a terminal: one line per upstream server, fixed columns that fit 120 characters, the
// worst news (held down, lame, EDNS or 0x20 fallback) in the last column.
import type { ServerHealth } from '../cache/infra-cache.js';
import { absolute } from '../wire/names.js';

const ms = (v: number | null): string => (v === null ? '-' : v < 10 ? v.toFixed(1) : String(Math.round(v)));

function minutes(msLeft: number): string {
  const s = Math.ceil(msLeft / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function state(h: ServerHealth): string {
  const notes: string[] = [];
  if (h.heldDown) notes.push(`held down (${h.timeoutsInARow} timeouts in a row)`);
  for (const [key, left] of Object.entries(h.lame)) {
    const [zone, qtype] = key.split('|');
    notes.push(`lame for ${absolute(zone!)} ${qtype} (${minutes(left)} left)`);
  }
  if (h.edns === false) notes.push('no EDNS');
  if (h.preservesCase === false) notes.push('no 0x20');
  return notes.length === 0 ? 'ok' : notes.join('; ');
}

export function formatServers(all: readonly ServerHealth[]): string {
  if (all.length === 0) return 'no upstream servers asked yet';
  const rows = all.map((h) => {
    const zones = h.zones.map(absolute).join(',');
    return [h.server, zones.length > 28 ? zones.slice(0, 27) + '…' : zones, ms(h.srttMs), ms(h.srttMs === null ? null : h.rttVarMs), ms(h.rtoMs), String(h.sent), String(h.timeouts), state(h)];
  });
  const header = ['SERVER', 'ZONES', 'SRTT', 'VAR', 'RTO', 'SENT', 'TIMEOUTS', 'STATE'];
  const widths = header.map((title, c) => Math.max(title.length, ...rows.map((r) => r[c]!.length)));
  const right = new Set([2, 3, 4, 5, 6]);
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ');
  return [line(header), ...rows.map(line), '', 'SRTT, VAR, RTO in ms (RFC 6298); SENT and TIMEOUTS since the server was first asked'].join('\n');
}
