// DNS over TCP framing for the lab's authoritative servers (RFC 1035 §4.2.2, RFC 7766 §8): every message has a
// two-byte length prefix, and one read may carry part of a message or several.
import type * as net from 'node:net';

/** Calls `onMessage` for each complete message that arrives on `socket`, in order. */
export function onTcpMessages(socket: net.Socket, onMessage: (msg: Buffer) => void): void {
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const msg = Buffer.from(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      buf = buf.subarray(2 + msg.length);
      onMessage(msg);
    }
  });
}

/** Writes one message with its length prefix, unless the connection is gone. */
export function writeTcpMessage(socket: net.Socket, msg: Buffer): void {
  if (socket.destroyed) return;
  socket.write(Buffer.concat([Buffer.from([msg.length >> 8, msg.length & 0xff]), msg]));
}
