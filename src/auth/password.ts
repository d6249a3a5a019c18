import { randomBytes, scrypt, ScryptOptions, timingSafeEqual } from 'node:crypto';
import { SCRYPT_HASH } from '../config/auth-environment';

/** scrypt cost of new hashes: N=2^15, r=8, p=1 (32 MiB, about 0.1 s here), a 32-byte key. */
export const SCRYPT_DEFAULTS = { N: 32768, r: 8, p: 1, keyLength: 32 } as const;

function derive(password: string, salt: Buffer, keyLength: number, options: ScryptOptions) {
  const { N = SCRYPT_DEFAULTS.N, r = SCRYPT_DEFAULTS.r } = options;
  return new Promise<Buffer>((resolve, reject) => {
    // maxmem must cover 128 * N * r bytes, or Node refuses costlier parameters than its default.
    scrypt(password, salt, keyLength, { ...options, maxmem: 256 * N * r }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** A new hash in the `scrypt$N$r$p$<salt base64>$<key base64>` format CONSOLE_USERS takes. */
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p, keyLength } = SCRYPT_DEFAULTS;
  const salt = randomBytes(16);
  const key = await derive(password, salt, keyLength, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * Whether `password` matches `hash`, compared in constant time. A malformed hash never matches
 * (the configuration parser already rejects those).
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const match = SCRYPT_HASH.exec(hash);
  if (!match) return false;
  const [, N, r, p, salt, key] = match;
  const expected = Buffer.from(key, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(N),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}

/**
 * A hash no password matches, with the default cost: checked for unknown users so that a wrong
 * name costs the same time as a wrong password and the answer time tells no names apart.
 */
export const UNKNOWN_USER_HASH = `scrypt$${SCRYPT_DEFAULTS.N}$${SCRYPT_DEFAULTS.r}$${SCRYPT_DEFAULTS.p}$${randomBytes(16).toString('base64')}$${randomBytes(SCRYPT_DEFAULTS.keyLength).toString('base64')}`;
