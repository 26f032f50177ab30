import {
  hashPartnerKeySecret,
  parsePartnerKey,
  signGatewayToken,
  verifyGatewayToken,
} from '../src/tokens';

const secret = 'kit-test-subgraph-signing-secret-0123456789';

describe('gateway tokens', () => {
  it('carry a partner identity to the subgraph', async () => {
    const identity = {
      userId: null,
      partnerKeyId: 'pk_abcdefghijklmnop',
      scopes: ['catalogue:read'],
      rateTier: 'high' as const,
      safelistOnly: true,
    };
    const token = await signGatewayToken(identity, 'templates', secret);
    expect(await verifyGatewayToken(token, 'templates', secret)).toEqual(identity);
  });

  it('carry a user with scopes and no partner fields', async () => {
    const token = await signGatewayToken({ userId: 'usr_a', scopes: ['x'] }, 'users', secret);
    expect(await verifyGatewayToken(token, 'users', secret)).toEqual({
      userId: 'usr_a',
      scopes: ['x'],
    });
  });
});

describe('partner keys', () => {
  it('split into id and secret only when well formed', () => {
    const key = `pk_abcdefghijklmnop.${'A'.repeat(43)}`;
    expect(parsePartnerKey(key)).toEqual({ keyId: 'pk_abcdefghijklmnop', secret: 'A'.repeat(43) });
    expect(parsePartnerKey(`${key}x`)).toBeNull();
    expect(parsePartnerKey('pk_abcdefghijklmnop')).toBeNull();
  });

  it('hash their secret with SHA-256', () => {
    expect(hashPartnerKeySecret('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
