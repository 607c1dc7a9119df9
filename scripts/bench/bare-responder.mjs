#!/usr/bin/env node
// Ceiling for a Node UDP server: one ready answer (A 127.0.0.1), per query copy it, patch the ID, send.
// Usage: node scripts/bench/bare-responder.mjs --listen 127.0.0.5:5300
import dgram from 'node:dgram';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { listen: { type: 'string', default: '127.0.0.1:5300' } } });
const sep = values.listen.lastIndexOf(':');
const host = values.listen.slice(0, sep);
const port = Number(values.listen.slice(sep + 1));

// Header: id 0, QR|RD|RA, NOERROR, 1 question, 1 answer; question www.example. A IN; answer via pointer.
const answer = Buffer.from([
  0x00, 0x00, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
  3, 0x77, 0x77, 0x77, 7, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0, 0x00, 0x01, 0x00, 0x01,
  0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04, 127, 0, 0, 1,
]);

const sock = dgram.createSocket('udp4');
sock.on('message', (msg, rinfo) => {
  if (msg.length < 12) return;
  const out = Buffer.allocUnsafe(answer.length);
  answer.copy(out);
  out[0] = msg[0];
  out[1] = msg[1];
  sock.send(out, rinfo.port, rinfo.address);
});
sock.bind(port, host, () => console.log(`bare-responder listening on ${host}:${port}`));
const stop = () => sock.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
