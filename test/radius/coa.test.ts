import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChangeSender } from '../../src/radius/coa.ts';
import { type NasListener, startNasListener } from './nas-listener.ts';
import { SECRET, nas } from './support.ts';

const sender = createChangeSender({ timeoutMs: 200, retries: 2 });
let listener: NasListener;
beforeAll(async () => {
  listener = await startNasListener(SECRET);
});
afterAll(async () => {
  await listener.close();
  await sender.close();
});
const target = () => nas({ coaPort: listener.port });

describe('ChangeSender (CoA / Disconnect client) against the test NAS listener', () => {
  it('Disconnect-Request: signed, with Message-Authenticator, the attributes arrive, ACK comes back', async () => {
    listener.behaviour = { kind: 'ack' };
    listener.received.length = 0;
    const outcome = await sender.send(target(), 'disconnect', [['User-Name', 'alice'], ['Acct-Session-Id', '81a00005'], ['Framed-IP-Address', '100.64.0.10']]);
    expect(outcome).toEqual({ kind: 'ack', attributes: expect.any(Array) });
    expect(listener.received).toHaveLength(1);
    const got = listener.received[0]!;
    expect(got.packet.code).toBe(40);
    expect(got.authentic).toBe(true);
    expect(got.messageAuthenticator).toBe('valid');
    expect(got.packet.attributes.filter(([n]) => n !== 'Message-Authenticator')).toEqual([
      ['User-Name', 'alice'],
      ['Acct-Session-Id', '81a00005'],
      ['Framed-IP-Address', '100.64.0.10'],
    ]);
  });

  it('CoA-Request with a new rate limit: CoA-ACK', async () => {
    listener.behaviour = { kind: 'ack' };
    listener.received.length = 0;
    const outcome = await sender.send(target(), 'coa', [['User-Name', 'alice'], ['Mikrotik-Rate-Limit', '1M/1M']]);
    expect(outcome.kind).toBe('ack');
    expect(listener.received[0]!.packet.code).toBe(43);
    expect(listener.received[0]!.packet.attributes).toContainEqual(['Mikrotik-Rate-Limit', '1M/1M']);
  });

  it('NAK carries the Error-Cause (503 Session-Context-Not-Found)', async () => {
    listener.behaviour = { kind: 'nak', errorCause: 503 };
    expect(await sender.send(target(), 'disconnect', [['User-Name', 'ghost']])).toMatchObject({ kind: 'nak', errorCause: 503 });
    expect(await sender.send(target(), 'coa', [['User-Name', 'ghost']])).toMatchObject({ kind: 'nak', errorCause: 503 });
  });

  it('a silent NAS: the same packet is retransmitted (1 + retries copies), then timeout', async () => {
    listener.behaviour = { kind: 'silent' };
    listener.received.length = 0;
    const outcome = await sender.send(target(), 'disconnect', [['User-Name', 'alice']], { timeoutMs: 100, retries: 2 });
    expect(outcome).toEqual({ kind: 'timeout' });
    expect(listener.received).toHaveLength(3);
    const authenticators = new Set(listener.received.map((r) => r.packet.authenticator.toString('hex')));
    expect(authenticators.size).toBe(1);
  });

  it('a lost request is retried and the retry is ACKed', async () => {
    listener.behaviour = { kind: 'ack-after', drop: 1 };
    listener.received.length = 0;
    expect((await sender.send(target(), 'coa', [['User-Name', 'alice']])).kind).toBe('ack');
    expect(listener.received).toHaveLength(2);
  });

  it('a reply signed with another secret is ignored (forgery): the exchange ends as a timeout', async () => {
    listener.behaviour = { kind: 'forged' };
    expect(await sender.send(target(), 'disconnect', [['User-Name', 'alice']], { timeoutMs: 100, retries: 1 })).toEqual({ kind: 'timeout' });
  });

  it('many requests in parallel to one NAS each get their own identifier and their own answer', async () => {
    listener.behaviour = { kind: 'ack' };
    listener.received.length = 0;
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => sender.send(target(), 'coa', [['User-Name', `user-${i}`]])));
    expect(outcomes.every((o) => o.kind === 'ack')).toBe(true);
    expect(new Set(listener.received.map((r) => r.packet.identifier)).size).toBe(50);
  });

  it('reaches a NAS over IPv6', async () => {
    const v6 = await startNasListener(SECRET, { kind: 'ack' }, '::1');
    try {
      expect((await sender.send(nas({ address: '::1', coaPort: v6.port }), 'disconnect', [['User-Name', 'alice']])).kind).toBe('ack');
    } finally {
      await v6.close();
    }
  });
});

describe('a fresh ChangeSender', () => {
  it('first sends in parallel share one socket and all get their answer', async () => {
    const fresh = createChangeSender({ timeoutMs: 500, retries: 1 });
    const listener2 = await startNasListener(SECRET);
    try {
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => fresh.send(nas({ coaPort: listener2.port }), 'coa', [['User-Name', 'a']])));
      expect(outcomes.map((o) => o.kind)).toEqual(Array(20).fill('ack'));
      expect(new Set(listener2.received.map((r) => r.packet.identifier)).size).toBe(20);
    } finally {
      await listener2.close();
      await fresh.close();
    }
  });
});
