import { describe, expect, it } from 'vitest';
import { md4 } from '../../src/radius/md4.ts';
import * as mschap from '../../src/radius/mschap.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// RFC 2759 §9.2 and RFC 3079 §3.5.3 worked examples.
const authenticatorChallenge = hex('5B 5D 7C 7D 7B 3F 2F 3E 3C 2C 60 21 32 26 26 28');
const peerChallenge = hex('21 40 23 24 25 5E 26 2A 28 29 5F 2B 3A 33 7C 7E');
const ntResponse = hex('82 30 9E CD 8D 70 8B 5E A0 8F AA 39 81 CD 83 54 42 33 11 4A 3D 85 D6 DF');

describe('MS-CHAPv2 (RFC 2759 §9.2)', () => {
  it('ChallengeHash, NtPasswordHash, NT-Response, PasswordHashHash and the authenticator response', () => {
    expect(mschap.challengeHash(peerChallenge, authenticatorChallenge, 'User')).toEqual(hex('D0 2E 43 86 BC E9 12 26'));
    expect(mschap.ntPasswordHash('clientPass')).toEqual(hex('44 EB BA 8D 53 12 B8 D6 11 47 44 11 F5 69 89 AE'));
    expect(mschap.generateNtResponse(authenticatorChallenge, peerChallenge, 'User', 'clientPass')).toEqual(ntResponse);
    expect(md4(mschap.ntPasswordHash('clientPass'))).toEqual(hex('41 C0 0C 58 4B D2 D9 1C 40 17 A2 A1 2F A5 9F 3F'));
    expect(mschap.authenticatorResponse('clientPass', ntResponse, peerChallenge, authenticatorChallenge, 'User')).toBe(
      'S=407A5589115FD0D6209F510FE9C04566932CDA56',
    );
  });

  it('a Windows "DOMAIN\\user" name hashes as the bare user name', () => {
    expect(mschap.challengeHash(peerChallenge, authenticatorChallenge, 'CORP\\User')).toEqual(hex('D0 2E 43 86 BC E9 12 26'));
  });
});

describe('MPPE keys (RFC 3079 §3.5.3)', () => {
  it('MasterKey and the 128-bit send start key; the receive key differs', () => {
    const master = mschap.masterKey(hex('41 C0 0C 58 4B D2 D9 1C 40 17 A2 A1 2F A5 9F 3F'), ntResponse);
    expect(master).toEqual(hex('FD EC E3 71 7A 8C 83 8C B3 88 E5 27 AE 3C DD 31'));
    expect(mschap.asymmetricStartKey(master, true, true)).toEqual(hex('8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB'));
    // The server's send key is the client's receive key, and vice versa.
    expect(mschap.asymmetricStartKey(master, false, false)).toEqual(mschap.asymmetricStartKey(master, true, true));
    expect(mschap.asymmetricStartKey(master, false, true)).not.toEqual(mschap.asymmetricStartKey(master, true, true));
  });
});

describe('verifyMsChap2', () => {
  const response = Buffer.concat([Buffer.from([7, 0]), peerChallenge, Buffer.alloc(8), ntResponse]);

  it('accepts the right password: MS-CHAP2-Success is the ident then "S=…", keys are RFC 3079 keys', () => {
    const parsed = mschap.parseMsChap2Response(response)!;
    const verified = mschap.verifyMsChap2({ userName: 'User', password: 'clientPass', authenticatorChallenge, response: parsed })!;
    expect(verified.success[0]).toBe(7);
    expect(verified.success.subarray(1).toString('ascii')).toBe('S=407A5589115FD0D6209F510FE9C04566932CDA56');
    expect(verified.sendKey).toEqual(hex('8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB'));
  });

  it('refuses a wrong password, another user name, and a malformed response', () => {
    const parsed = mschap.parseMsChap2Response(response)!;
    expect(mschap.verifyMsChap2({ userName: 'User', password: 'clientPasS', authenticatorChallenge, response: parsed })).toBeNull();
    expect(mschap.verifyMsChap2({ userName: 'Other', password: 'clientPass', authenticatorChallenge, response: parsed })).toBeNull();
    expect(mschap.parseMsChap2Response(response.subarray(1))).toBeNull();
  });
});
