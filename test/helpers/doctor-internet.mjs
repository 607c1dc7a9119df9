// "The internet" for test/integration/doctor-netns.test.ts, run with `ip netns exec` inside the namespace that
// plays it: root servers on the addresses given as ROOTS (UDP and TCP port 53) that refer com. to ns.nic.com and
// serve a large, signed-looking `. DNSKEY` (> 1,500 bytes, its RRSIG valid from a week ago to a week ahead), and a
// recursive resolver on INTERCEPTOR (UDP and TCP port 53) that answers every A query itself with RA set — what a
// DNS-intercepting router or ISP does. Prints "ready" once every socket is bound; SIGTERM ends it.
//
//   node doctor-internet.mjs ROOT1,ROOT2 INTERCEPTOR
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import dnsPacket from 'dns-packet';

const [rootList, interceptor] = process.argv.slice(2);
if (!rootList || !interceptor) {
  process.stderr.write('usage: doctor-internet.mjs ROOT1,ROOT2 INTERCEPTOR\n');
  process.exit(2);
}
const roots = rootList.split(',');
const DAY = 86_400;
const now = Math.floor(Date.now() / 1000);
const AA = dnsPacket.AUTHORITATIVE_ANSWER;
const RA = dnsPacket.RECURSION_AVAILABLE;
const RD = dnsPacket.RECURSION_DESIRED;
const TC = dnsPacket.TRUNCATED_RESPONSE;
const NXDOMAIN = 3;

const rootNs = roots.map((_, i) => ({ name: '.', type: 'NS', ttl: 518400, data: `${String.fromCharCode(97 + i)}.root.test` }));
const rootGlue = roots.map((a, i) => ({ name: `${String.fromCharCode(97 + i)}.root.test`, type: 'A', ttl: 518400, data: a }));
const dnskeys = [
  ...Array.from({ length: 6 }, (_, i) => ({ name: '.', type: 'DNSKEY', ttl: 172800, data: { flags: 257, algorithm: 8, key: Buffer.alloc(260, i + 1) } })),
  {
    name: '.',
    type: 'RRSIG',
    ttl: 172800,
    data: { typeCovered: 'DNSKEY', algorithm: 8, labels: 0, originalTTL: 172800, expiration: now + 7 * DAY, inception: now - 7 * DAY, keyTag: 20326, signersName: '.', signature: Buffer.alloc(256, 7) },
  },
];

const lower = (n) => n.toLowerCase().replace(/\.$/, '');
const optOf = (q) => (q.additionals ?? []).find((a) => a.type === 'OPT');

/** The root's reply: the apex NS and DNSKEY, a referral for anything under com, NXDOMAIN for the rest. */
function rootAnswer(q) {
  const question = q.questions[0];
  const name = lower(question.name);
  if (name === '' && question.type === 'NS') return { flags: AA, answers: rootNs, additionals: rootGlue };
  if (name === '' && question.type === 'DNSKEY') return { flags: AA, answers: dnskeys };
  if (name === '') return { flags: AA, authorities: [] };
  if (name === 'com' || name.endsWith('.com')) {
    return { flags: 0, authorities: [{ name: 'com', type: 'NS', ttl: 172800, data: 'ns.nic.com' }], additionals: [{ name: 'ns.nic.com', type: 'A', ttl: 172800, data: '203.0.113.100' }] };
  }
  return { flags: AA | NXDOMAIN, authorities: [] };
}

/** The intercepting resolver's reply: it answers A itself, recursion available, whatever was asked of whom. */
function interceptorAnswer(q) {
  const question = q.questions[0];
  const answers = question.type === 'A' ? [{ name: question.name, type: 'A', ttl: 300, data: '192.0.2.99' }] : [];
  return { flags: RA, answers };
}

/** Encodes the reply to `q`; over UDP, bigger than the asker's buffer (512 without EDNS) comes back TC=1. */
function respond(q, answer, tcp) {
  const opt = optOf(q);
  const rd = (q.flags ?? 0) & RD;
  const additionals = [...(answer.additionals ?? []), ...(opt ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [] }] : [])];
  const base = { type: 'response', id: q.id, questions: q.questions };
  const full = dnsPacket.encode({ ...base, flags: answer.flags | rd, answers: answer.answers ?? [], authorities: answer.authorities ?? [], additionals });
  const limit = opt ? Math.max(512, opt.udpPayloadSize ?? 512) : 512;
  if (tcp || full.length <= limit) return full;
  return dnsPacket.encode({ ...base, flags: answer.flags | rd | TC, additionals: opt ? additionals.slice(-1) : [] });
}

function decode(buf) {
  try {
    const q = dnsPacket.decode(buf);
    return q.type === 'query' && q.questions?.length === 1 ? q : null;
  } catch {
    return null;
  }
}

const sockets = [];

function serve(address, answer) {
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    const q = decode(msg);
    if (q) udp.send(respond(q, answer(q), false), rinfo.port, rinfo.address);
  });
  const tcp = net.createServer((conn) => {
    let pending = Buffer.alloc(0);
    conn.on('error', () => conn.destroy());
    conn.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const q = decode(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
        if (!q) return conn.destroy();
        const r = respond(q, answer(q), true);
        const len = Buffer.alloc(2);
        len.writeUInt16BE(r.length);
        conn.write(Buffer.concat([len, r]));
      }
    });
  });
  sockets.push(udp, tcp);
  return Promise.all([
    new Promise((ok, fail) => udp.once('error', fail).bind(53, address, () => ok())),
    new Promise((ok, fail) => tcp.once('error', fail).listen({ host: address, port: 53 }, () => ok())),
  ]);
}

await Promise.all([...roots.map((a) => serve(a, rootAnswer)), serve(interceptor, interceptorAnswer)]);
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  for (const s of sockets) s.close();
  process.exit(0);
});
