/**
 * Password hashing compatible with RabbitMQ's `rabbit_password_hashing_sha256`
 * (the default since 3.6): a 4-byte random salt, hash = SHA-256(salt ++ UTF-8
 * password), stored as base64(salt ++ hash). Hashes exported from RabbitMQ
 * definitions therefore verify here, and ours import there.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const SALT_BYTES = 4;
const DIGEST_BYTES = 32;

function digest(salt: Buffer, password: string): Buffer {
  return createHash('sha256').update(salt).update(password, 'utf8').digest();
}

/** base64(salt(4) ++ sha256(salt ++ password)) with a fresh random salt */
export function hashPassword(password: string, salt: Buffer = randomBytes(SALT_BYTES)): string {
  return Buffer.concat([salt, digest(salt, password)]).toString('base64');
}

/** True when `hash` is in the salted SHA-256 format (decodes to 36 bytes). */
export function isValidPasswordHash(hash: string): boolean {
  return Buffer.from(hash, 'base64').length === SALT_BYTES + DIGEST_BYTES;
}

/** Constant-time check of `password` against a stored hash. */
export function verifyPassword(password: string, hash: string): boolean {
  const raw = Buffer.from(hash, 'base64');
  if (raw.length !== SALT_BYTES + DIGEST_BYTES) return false;
  const salt = raw.subarray(0, SALT_BYTES);
  return timingSafeEqual(raw.subarray(SALT_BYTES), digest(salt, password));
}
