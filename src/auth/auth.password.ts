import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashing with scrypt (memory-hard, in Node's crypto). The stored form is a PHC string
 * carrying its own parameters and salt, `$scrypt$ln=17,r=8,p=1$<salt>$<hash>` (base64, no
 * padding), so the cost can be raised later without invalidating existing passwords.
 */
export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  ln: number;
  r: number;
  p: number;
}

/** OWASP's recommendation for scrypt: N=2^17 (128 MiB), r=8, p=1 (about 0.3 s on one core). */
export const DEFAULT_SCRYPT: ScryptParams = { ln: 17, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function derive(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** params.ln,
    r: params.r,
    p: params.p,
    // Node refuses more than 32 MiB by default; scrypt needs 128 * N * r bytes.
    maxmem: 2 * 128 * 2 ** params.ln * params.r,
  };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, params, KEY_LENGTH);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

/** Whether `password` matches the stored PHC string; false for a string this module did not make. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = PHC.exec(stored);
  if (!m) return false;
  const [, ln, r, p, salt, hash] = m;
  const expected = Buffer.from(hash ?? '', 'base64');
  const params = { ln: Number(ln), r: Number(r), p: Number(p) };
  if (expected.length === 0 || params.ln < 10 || params.ln > 22) return false;
  const key = await derive(password, Buffer.from(salt ?? '', 'base64'), params, expected.length);
  return timingSafeEqual(key, expected);
}

/**
 * A hash of no one's password, checked when the user does not exist, so a wrong user name costs
 * as long as a wrong password and response times do not tell which names exist.
 */
const decoys = new Map<string, Promise<string>>();
export function decoyHash(params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const key = `${params.ln},${params.r},${params.p}`;
  let decoy = decoys.get(key);
  if (decoy === undefined) {
    decoy = hashPassword(randomBytes(16).toString('hex'), params);
    decoys.set(key, decoy);
  }
  return decoy;
}
