/**
 * Server behaviour a stock client cannot show: the exact reply bytes (Message-Authenticator first),
 * duplicate detection, unknown NAS and IPv6 sources, failures in the policy or the sink, Proxy-State.
 * Driven by raw UDP datagrams encoded with our codec.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkMessageAuthenticator, verifyResponse } from '../../src/radius/authenticators.ts';
import type { AttributeList } from '../../src/radius/contract.ts';
import { decodePacket, encodePacket } from '../../src/radius/packet.ts';
import { type Harness, SECRET, exchange, nas, startHarness } from './support.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ nases: [nas(), nas({ id: 'nas-6', name: 'v6-bng', address: '::1' })] });
});
afterAll(() => h.stop());
beforeEach(() => {
  h.subscribers.clear();
  h.subscribers.set('bob', { password: 'pw', reply: [['Mikrotik-Rate-Limit', '5M/5M']] });
  h.authorized.length = 0;
  h.recorded.length = 0;
  h.outcomes.length = 0;
  h.hooks.authorize = undefined;
  h.hooks.record = undefined;
});

const accessRequest = (attributes: AttributeList = [['User-Name', 'bob'], ['User-Password', 'pw']], identifier = 1) =>
  encodePacket({ code: 1, identifier, secret: SECRET, attributes });
const accountingRequest = (identifier = 1) =>
  encodePacket({ code: 4, identifier, secret: SECRET, attributes: [['Acct-Status-Type', 'Interim-Update'], ['User-Name', 'bob'], ['Acct-Session-Id', 's-1']] });

describe('replies', () => {
  it('Access-Accept and Access-Reject carry Message-Authenticator as the FIRST attribute, valid, with a valid Response Authenticator', async () => {
    for (const password of ['pw', 'nope']) {
      const request = accessRequest([['User-Name', 'bob'], ['User-Password', password]]);
      const [reply] = await exchange(h.authPort, [request]);
      expect(reply?.[0]).toBe(password === 'pw' ? 2 : 3);
      expect(reply![20]).toBe(80);
      expect(reply![21]).toBe(18);
      const requestAuthenticator = request.subarray(4, 20);
      expect(checkMessageAuthenticator(reply!, Buffer.from(SECRET), requestAuthenticator)).toBe('valid');
      expect(verifyResponse(reply!, Buffer.from(SECRET), requestAuthenticator)).toBe(true);
    }
  });

  it('Proxy-State attributes are echoed unchanged, in order', async () => {
    const request = accessRequest([['User-Name', 'bob'], ['User-Password', 'pw'], ['Proxy-State', Buffer.from('one')], ['Proxy-State', Buffer.from([0, 255])]]);
    const [reply] = await exchange(h.authPort, [request]);
    const attributes = decodePacket(reply!).attributes.filter(([n]) => n === 'Proxy-State');
    expect(attributes).toEqual([['Proxy-State', Buffer.from('one')], ['Proxy-State', Buffer.from([0, 255])]]);
  });

  it('a request without User-Name is rejected without asking the policy', async () => {
    const [reply] = await exchange(h.authPort, [accessRequest([['User-Password', 'pw']])]);
    expect(reply?.[0]).toBe(3);
    expect(h.authorized).toHaveLength(0);
  });
});

describe('duplicate detection', () => {
  it('a retransmitted Access-Request gets the same reply bytes and the policy is asked once', async () => {
    const request = accessRequest(undefined, 42);
    const replies = await exchange(h.authPort, [request, request, request]);
    expect(replies).toHaveLength(3);
    expect(replies[1]).toEqual(replies[0]);
    expect(replies[2]).toEqual(replies[0]);
    expect(h.authorized).toHaveLength(1);
    expect(h.server.stats.duplicates).toBeGreaterThanOrEqual(2);
  });

  it('the same identifier with a new authenticator is a new request', async () => {
    const replies = await exchange(h.authPort, [accessRequest(undefined, 43), accessRequest(undefined, 43)]);
    expect(replies).toHaveLength(2);
    expect(h.authorized).toHaveLength(2);
  });

  it('a retransmitted Accounting-Request is recorded once and answered each time', async () => {
    const request = accountingRequest(7);
    const replies = await exchange(h.acctPort, [request, request]);
    expect(replies.map((r) => r[0])).toEqual([5, 5]);
    expect(h.recorded).toHaveLength(1);
  });
});

describe('sources', () => {
  it('a NAS reaching the server over IPv6 is served; one the directory does not know is dropped and logged', async () => {
    const [reply] = await exchange(h.authPort, [accessRequest()], { host: '::1' });
    expect(reply?.[0]).toBe(2);
    expect(h.authorized[0]?.client.name).toBe('v6-bng');

    h.nases.delete('::1');
    try {
      const logged = h.logs.length;
      const replies = await exchange(h.authPort, [accessRequest(), accessRequest()], { host: '::1' });
      expect(replies).toHaveLength(0);
      const lines = h.logs.slice(logged).filter((l) => l.msg.includes('unknown NAS'));
      // Rate-limited: two drops, one log line.
      expect(lines).toHaveLength(1);
      expect(lines[0]!.obj).toMatchObject({ from: '::1' });
    } finally {
      h.nases.set('::1', nas({ id: 'nas-6', name: 'v6-bng', address: '::1' }));
    }
  });

  it('garbage and packets of the wrong kind are dropped without a reply', async () => {
    const replies = await exchange(h.authPort, [Buffer.from('definitely not radius'), accountingRequest()]);
    expect(replies).toHaveLength(0);
    const acctReplies = await exchange(h.acctPort, [accessRequest()]);
    expect(acctReplies).toHaveLength(0);
  });
});

describe('failures never crash the server and never answer wrongly', () => {
  it('the accounting sink failing: no Accounting-Response; the retransmission is processed again and answered once the sink works', async () => {
    let fail = true;
    h.hooks.record = async () => {
      if (fail) throw new Error('database down');
    };
    const request = accountingRequest(9);
    expect(await exchange(h.acctPort, [request])).toHaveLength(0);
    expect(h.logs.some((l) => l.level === 'error' && l.msg.includes('no reply so that the NAS retries'))).toBe(true);
    fail = false;
    const [reply] = await exchange(h.acctPort, [request]);
    expect(reply?.[0]).toBe(5);
    expect(h.recorded).toHaveLength(1);
  });

  it('the policy throwing: no reply, and the next request is answered', async () => {
    h.hooks.authorize = async () => {
      throw new Error('policy bug');
    };
    expect(await exchange(h.authPort, [accessRequest(undefined, 50)])).toHaveLength(0);
    h.hooks.authorize = undefined;
    const [reply] = await exchange(h.authPort, [accessRequest(undefined, 51)]);
    expect(reply?.[0]).toBe(2);
  });

  it('a policy reply attribute that cannot be encoded: logged, no reply (never a half-built Accept)', async () => {
    h.subscribers.set('bob', { password: 'pw', reply: [['Framed-IP-Address', 'not-an-ip']] });
    expect(await exchange(h.authPort, [accessRequest(undefined, 52)])).toHaveLength(0);
    expect(h.logs.some((l) => l.level === 'error' && String((l.obj as { err?: Error }).err?.message).includes('Framed-IP-Address'))).toBe(true);
  });
});

describe('bursts', () => {
  it('1,000 Access-Requests sent at once (NASes after a power cut) are all answered: the receive buffer is enlarged', async () => {
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    expect(rmemMax, 'the kernel caps socket buffers at net.core.rmem_max: sysctl -w net.core.rmem_max=4194304').toBeGreaterThanOrEqual(4 * 1024 * 1024);
    expect(h.logs.some((l) => l.msg.includes('receive buffer capped'))).toBe(false);
    const sockets = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const socket = createSocket('udp4');
        await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
        socket.setRecvBufferSize(4 * 1024 * 1024);
        return socket;
      }),
    );
    let replies = 0;
    const done = new Promise<void>((resolve) => {
      for (const socket of sockets)
        socket.on('message', () => {
          if (++replies === 1_000) resolve();
        });
    });
    sockets.forEach((socket, s) => {
      for (let id = 0; id < 250; id++) socket.send(accessRequest([['User-Name', 'bob'], ['User-Password', 'pw'], ['NAS-Port', s * 1000 + id]], id), h.authPort, '127.0.0.1');
    });
    await Promise.race([done, new Promise((r) => setTimeout(r, 15_000))]);
    for (const socket of sockets) socket.close();
    expect(replies).toBe(1_000);
    expect(h.authorized).toHaveLength(1_000);
  });
});
