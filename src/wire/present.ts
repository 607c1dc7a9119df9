// Presentation format (RFC 1035 §5.1) of records, as dig prints them: for `rootline query` and logs.
import { absolute } from './names.js';
import type { RR } from './types.js';

function quoteTxt(s: Buffer | string): string {
  const text = Buffer.isBuffer(s) ? s.toString('latin1') : s;
  return '"' + text.replace(/["\\]/g, (c) => '\\' + c) + '"';
}

export function formatRdata(rr: RR): string {
  const d = rr.data as never;
  switch (rr.type) {
    case 'A':
    case 'AAAA':
      return String(d);
    case 'NS':
    case 'CNAME':
    case 'DNAME':
    case 'PTR':
      return absolute(String(d));
    case 'MX': {
      const mx = d as { preference: number; exchange: string };
      return `${mx.preference} ${absolute(mx.exchange)}`;
    }
    case 'SOA': {
      const s = d as { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
      return `${absolute(s.mname)} ${absolute(s.rname)} ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`;
    }
    case 'SRV': {
      const s = d as { priority: number; weight: number; port: number; target: string };
      return `${s.priority} ${s.weight} ${s.port} ${absolute(s.target)}`;
    }
    case 'TXT': {
      const parts = Array.isArray(d) ? (d as (Buffer | string)[]) : [d as Buffer | string];
      return parts.map(quoteTxt).join(' ');
    }
    case 'CAA': {
      const c = d as { flags: number; tag: string; value: string };
      return `${c.flags} ${c.tag} "${c.value}"`;
    }
    default:
      if (Buffer.isBuffer(d)) return `\\# ${(d as Buffer).length} ${(d as Buffer).toString('hex')}`;
      return JSON.stringify(d);
  }
}

export function formatRecord(rr: RR): string {
  return `${absolute(rr.name)}\t${rr.ttl}\t${rr.class}\t${rr.type}\t${formatRdata(rr)}`;
}
