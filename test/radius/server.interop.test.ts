/**
 * The server against Debian's radtest/radclient (FreeRADIUS 3.2): PAP, CHAP, MS-CHAPv2 with MPPE
 * keys, accounting with gigawords, Status-Server, Message-Authenticator rules. The policy, the NAS
 * directory and the accounting sink are in memory (support.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { md4 } from '../../src/radius/md4.ts';
import * as mschap from '../../src/radius/mschap.ts';
import { type Harness, SECRET, radclient, run, startHarness } from './support.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());
beforeEach(() => {
  h.subscribers.clear();
  h.authorized.length = 0;
  h.outcomes.length = 0;
  h.recorded.length = 0;
  h.subscribers.set('alice', {
    password: 'correct horse',
    reply: [
      ['Mikrotik-Rate-Limit', '10M/20M 15M/25M 8M/16M 10/10'],
      ['Mikrotik-Address-List', 'active'],
      ['Framed-IP-Address', '100.64.0.10'],
      ['Session-Timeout', 86400],
      ['Acct-Interim-Interval', 300],
    ],
    rejectReply: [['Reply-Message', 'Wrong password']],
  });
});

const radtest = (method: 'pap' | 'chap' | 'mschap', user: string, password: string) =>
  run('radtest', ['-t', method, user, password, `127.0.0.1:${h.authPort}`, '0', SECRET, '0', '127.0.0.1']);

describe('PAP and CHAP with radtest', () => {
  it('PAP: the right password is accepted with the policy reply attributes', async () => {
    const out = await radtest('pap', 'alice', 'correct horse');
    expect(out.stdout).toContain('Received Access-Accept');
    expect(out.stdout).toContain('Mikrotik-Rate-Limit = "10M/20M 15M/25M 8M/16M 10/10"');
    expect(out.stdout).toContain('Mikrotik-Address-List = "active"');
    expect(out.stdout).toContain('Framed-IP-Address = 100.64.0.10');
    expect(out.stdout).toContain('Session-Timeout = 86400');
    expect(h.authorized[0]).toMatchObject({ userName: 'alice', method: 'pap', client: { name: 'hq-ccr' } });
    // The cleartext never leaves the server: the policy sees the request without User-Password.
    expect(h.authorized[0]!.attributes.map(([n]) => n)).toContain('NAS-IP-Address');
    expect(h.authorized[0]!.attributes.map(([n]) => n)).not.toContain('User-Password');
    expect(h.outcomes[0]).toMatchObject({ accepted: true, reason: 'accepted' });
  });

  it('PAP: a wrong password is rejected with the rejectReply', async () => {
    const out = await radtest('pap', 'alice', 'correct horsE');
    expect(out.stdout).toContain('Received Access-Reject');
    expect(out.stdout).toContain('Reply-Message = "Wrong password"');
    expect(out.stdout).not.toContain('Mikrotik-Rate-Limit');
    expect(h.outcomes[0]).toMatchObject({ accepted: false, reason: 'wrong password (PAP)' });
  });

  it('a subscriber the policy refuses is rejected without a password check', async () => {
    const out = await radtest('pap', 'mallory', 'whatever');
    expect(out.stdout).toContain('Received Access-Reject');
    expect(out.stdout).toContain('Reply-Message = "Unknown user"');
    expect(h.outcomes[0]).toMatchObject({ accepted: false, reason: 'unknown subscriber' });
  });

  it('CHAP (challenge = Request Authenticator): right password accepted, wrong rejected', async () => {
    expect((await radtest('chap', 'alice', 'correct horse')).stdout).toContain('Received Access-Accept');
    expect((await radtest('chap', 'alice', 'wrong')).stdout).toContain('Received Access-Reject');
    expect(h.authorized.map((r) => r.method)).toEqual(['chap', 'chap']);
  });

  it('CHAP with an explicit CHAP-Challenge attribute', async () => {
    const out = await radclient(h.authPort, 'auth', ['User-Name = alice', 'CHAP-Password = "correct horse"', 'CHAP-Challenge = 0x0102030405060708090a0b0c0d0e0f10', 'Message-Authenticator = 0x00']);
    expect(out.stdout).toContain('Received Access-Accept');
  });

  it("radtest -t mschap sends MS-CHAP v1, which Uplink does not support: rejected, reason logged", async () => {
    const out = await radtest('mschap', 'alice', 'correct horse');
    expect(out.stdout).toContain('Received Access-Reject');
    expect(h.outcomes[0]?.reason).toMatch(/no supported credentials/);
  });
});

describe('MS-CHAPv2 with radclient', () => {
  const authenticatorChallenge = Buffer.from('5b5d7c7d7b3f2f3e3c2c602132262628', 'hex');
  const peerChallenge = Buffer.from('21402324255e262a28295f2b3a337c7e', 'hex');
  const attributes = (password: string) => {
    const nt = mschap.generateNtResponse(authenticatorChallenge, peerChallenge, 'alice', password);
    const response = Buffer.concat([Buffer.from([1, 0]), peerChallenge, Buffer.alloc(8), nt]);
    return {
      nt,
      lines: ['User-Name = alice', `MS-CHAP-Challenge = 0x${authenticatorChallenge.toString('hex')}`, `MS-CHAP2-Response = 0x${response.toString('hex')}`, 'Message-Authenticator = 0x00'],
    };
  };

  it('accepted with MS-CHAP2-Success (the RFC 2759 authenticator response) and MPPE keys radclient decrypts', async () => {
    const { nt, lines } = attributes('correct horse');
    const out = await radclient(h.authPort, 'auth', lines);
    expect(out.stdout).toContain('Received Access-Accept');
    const expectedAuth = mschap.authenticatorResponse('correct horse', nt, peerChallenge, authenticatorChallenge, 'alice');
    // radclient prints octets as hex: ident 0x01 then "S=…" in ASCII.
    expect(out.stdout).toContain(`MS-CHAP2-Success = 0x01${Buffer.from(expectedAuth).toString('hex')}`);
    const master = mschap.masterKey(md4(mschap.ntPasswordHash('correct horse')), nt);
    expect(out.stdout).toContain(`MS-MPPE-Send-Key = 0x${mschap.asymmetricStartKey(master, true, true).toString('hex')}`);
    expect(out.stdout).toContain(`MS-MPPE-Recv-Key = 0x${mschap.asymmetricStartKey(master, false, true).toString('hex')}`);
    expect(out.stdout).toContain('MS-MPPE-Encryption-Policy = Encryption-Allowed');
    expect(h.authorized[0]?.method).toBe('mschapv2');
  });

  it('a wrong password is rejected with MS-CHAP-Error E=691', async () => {
    const out = await radclient(h.authPort, 'auth', attributes('incorrect').lines);
    expect(out.stdout).toContain('Received Access-Reject');
    expect(out.stdout).toMatch(/MS-CHAP-Error = "\\001E=691 R=0 V=3/);
  });
});

describe('accounting with radclient', () => {
  const session = (status: string, extra: string[] = []) => [
    `Acct-Status-Type = ${status}`,
    'User-Name = alice',
    'Acct-Session-Id = "81a00005"',
    'NAS-IP-Address = 127.0.0.1',
    'Framed-IP-Address = 100.64.0.10',
    ...extra,
  ];

  it('Start, Interim-Update and Stop reach the sink with gigawords; each gets an Accounting-Response', async () => {
    for (const lines of [
      session('Start'),
      session('Interim-Update', ['Acct-Input-Octets = 1000', 'Acct-Input-Gigawords = 2', 'Acct-Output-Octets = 5', 'Acct-Output-Gigawords = 1', 'Acct-Session-Time = 300']),
      session('Stop', ['Acct-Input-Octets = 2000', 'Acct-Input-Gigawords = 3', 'Acct-Terminate-Cause = User-Request', 'Event-Timestamp = 1795000000']),
    ]) {
      const out = await radclient(h.acctPort, 'acct', lines);
      expect(out.stdout).toContain('Received Accounting-Response');
    }
    expect(h.recorded.map((r) => r.attributes.find(([n]) => n === 'Acct-Status-Type')?.[1])).toEqual([1, 3, 2]);
    const interim = new Map(h.recorded[1]!.attributes);
    expect(interim.get('Acct-Input-Gigawords')).toBe(2);
    expect(interim.get('Acct-Input-Octets')).toBe(1000);
    expect(interim.get('Acct-Session-Id')).toBe('81a00005');
    const stop = new Map(h.recorded[2]!.attributes);
    expect(stop.get('Acct-Terminate-Cause')).toBe(1);
    expect(stop.get('Event-Timestamp')).toEqual(new Date(1795000000 * 1000));
    expect(h.recorded[0]!.client.name).toBe('hq-ccr');
  });

  it('a wrong secret gets no reply and nothing is recorded', async () => {
    const out = await radclient(h.acctPort, 'acct', session('Start'), [], 'not-the-secret');
    expect(out.stdout + out.stderr).toMatch(/No reply from server/);
    expect(h.recorded).toHaveLength(0);
  });
});

describe('Message-Authenticator (BlastRADIUS) and Status-Server', () => {
  it('an Access-Request without Message-Authenticator is dropped (no reply), the policy is not asked, and it is logged', async () => {
    const out = await radclient(h.authPort, 'auth', ['User-Name = alice', 'User-Password = "correct horse"']);
    expect(out.stdout + out.stderr).toMatch(/No reply from server/);
    expect(h.authorized).toHaveLength(0);
    expect(h.logs.some((l) => l.msg.includes('without the required Message-Authenticator'))).toBe(true);
  });

  it('a NAS that does not require it is answered without it', async () => {
    h.nases.get('127.0.0.1')!.requireMessageAuthenticator = false;
    try {
      const out = await radclient(h.authPort, 'auth', ['User-Name = alice', 'User-Password = "correct horse"']);
      expect(out.stdout).toContain('Received Access-Accept');
    } finally {
      h.nases.get('127.0.0.1')!.requireMessageAuthenticator = true;
    }
  });

  it('a request signed with the wrong secret is dropped', async () => {
    const out = await radclient(h.authPort, 'auth', ['User-Name = alice', 'User-Password = "correct horse"', 'Message-Authenticator = 0x00'], [], 'wrong');
    expect(out.stdout + out.stderr).toMatch(/No reply from server/);
    expect(h.authorized).toHaveLength(0);
  });

  it('Status-Server is answered on both ports (Access-Accept on auth, Accounting-Response on acct)', async () => {
    const auth = await radclient(h.authPort, 'status', ['Message-Authenticator = 0x00']);
    expect(auth.stdout).toContain('Received Access-Accept');
    const acct = await radclient(h.acctPort, 'status', ['Message-Authenticator = 0x00']);
    expect(acct.stdout).toContain('Received Accounting-Response');
    expect(h.authorized).toHaveLength(0);
  });
});
