import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './auth.password.ts';

const FAST = { ln: 10, r: 8, p: 1 };

describe('scrypt passwords', () => {
  it('are stored as PHC strings with their parameters and a per-hash salt', async () => {
    const a = await hashPassword('secret password', FAST);
    const b = await hashPassword('secret password', FAST);
    expect(a).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
  });

  it('verify the right password only, with the parameters the hash names', async () => {
    const stored = await hashPassword('secret password', { ln: 11, r: 4, p: 2 });
    expect(await verifyPassword('secret password', stored)).toBe(true);
    expect(await verifyPassword('secret passworD', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('use the OWASP parameters by default', async () => {
    const stored = await hashPassword('x');
    expect(stored.startsWith('$scrypt$ln=17,r=8,p=1$')).toBe(true);
    expect(await verifyPassword('x', stored)).toBe(true);
  });

  it('refuse stored strings they did not make', async () => {
    expect(await verifyPassword('x', 'plain')).toBe(false);
    expect(await verifyPassword('x', '$scrypt$ln=40,r=8,p=1$AAAA$AAAA')).toBe(false);
  });

  it('treat canonically equivalent Unicode passwords alike', async () => {
    const stored = await hashPassword('caf\u00e9 password', FAST);
    expect(await verifyPassword('cafe\u0301 password', stored)).toBe(true);
  });
});
