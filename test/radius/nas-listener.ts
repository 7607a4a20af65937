/**
 * A test NAS that listens for CoA-Request / Disconnect-Request (RFC 5176) like a router's
 * "incoming" RADIUS: verifies the Request Authenticator and Message-Authenticator with its secret,
 * records what arrived, and answers as told: ACK, NAK with an Error-Cause, or nothing.
 */
import { type Socket, createSocket } from 'node:dgram';
import { checkMessageAuthenticator, verifyRequest } from '../../src/radius/authenticators.ts';
import type { AttributeList } from '../../src/radius/contract.ts';
import { PacketCode, type RadiusPacket, decodePacket, encodePacket } from '../../src/radius/packet.ts';

export type ListenerBehaviour =
  | { kind: 'ack'; attributes?: AttributeList }
  | { kind: 'nak'; errorCause: number }
  | { kind: 'silent' }
  /** Ignores the first `drop` copies of each request, then ACKs (to prove retransmission). */
  | { kind: 'ack-after'; drop: number }
  /** Answers with a different secret (a forged reply the sender must ignore). */
  | { kind: 'forged' };

export interface ReceivedChange {
  packet: RadiusPacket;
  authentic: boolean;
  messageAuthenticator: 'absent' | 'valid' | 'invalid';
}

export interface NasListener {
  port: number;
  received: ReceivedChange[];
  behaviour: ListenerBehaviour;
  close(): Promise<void>;
}

export async function startNasListener(secret: string, behaviour: ListenerBehaviour = { kind: 'ack' }, host = '127.0.0.1'): Promise<NasListener> {
  const socket: Socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const seen = new Map<string, number>();
  const listener: NasListener = {
    port: 0,
    received: [],
    behaviour,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (data, rinfo) => {
    let packet: RadiusPacket;
    try {
      packet = decodePacket(data, { secret });
    } catch {
      return;
    }
    const authentic = verifyRequest(packet.raw.bytes, Buffer.from(secret));
    const messageAuthenticator = checkMessageAuthenticator(packet.raw.bytes, Buffer.from(secret), Buffer.alloc(16));
    listener.received.push({ packet, authentic, messageAuthenticator });
    if (!authentic || messageAuthenticator === 'invalid') return;
    const isCoa = packet.code === PacketCode.CoaRequest;
    const b = listener.behaviour;
    const key = packet.authenticator.toString('hex');
    const copies = (seen.get(key) ?? 0) + 1;
    seen.set(key, copies);
    let code: number;
    let attributes: AttributeList = [];
    let replySecret = secret;
    if (b.kind === 'silent' || (b.kind === 'ack-after' && copies <= b.drop)) return;
    if (b.kind === 'nak') {
      code = isCoa ? PacketCode.CoaNak : PacketCode.DisconnectNak;
      attributes = [['Error-Cause', b.errorCause]];
    } else {
      code = isCoa ? PacketCode.CoaAck : PacketCode.DisconnectAck;
      if (b.kind === 'ack') attributes = b.attributes ?? [];
      if (b.kind === 'forged') replySecret = `${secret}-forged`;
    }
    const reply = encodePacket({ code, identifier: packet.identifier, requestAuthenticator: packet.authenticator, secret: replySecret, attributes });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  listener.port = socket.address().port;
  return listener;
}
