import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

// A fixed, public salt: HKDF's security here rests on the master key being 32 random bytes.
const HKDF_SALT = Buffer.from('ml-connector key derivation v1', 'utf8');

/**
 * One key per purpose (credentials file, keyring file, Temporal payloads), so a key that leaks
 * from one use (for example a codec server) does not open the others.
 */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, HKDF_SALT, `ml-connector/${purpose}/v1`, KEY_BYTES));
}

/** A short public name of a master key: lets files and payloads say which key sealed them. */
export function keyIdOf(master: Buffer): string {
  return createHash('sha256').update(deriveKey(master, 'key-id')).digest('hex').slice(0, 16);
}

export interface Sealed {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** AES-256-GCM with a fresh random 12-byte IV; `aad` is authenticated but not encrypted. */
export function seal(key: Buffer, plaintext: Uint8Array, aad: Uint8Array): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** Throws when the key is wrong or any byte of iv, ciphertext, tag or aad changed. */
export function open(key: Buffer, sealed: Sealed, aad: Uint8Array): Buffer {
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES)
    throw new Error('malformed ciphertext');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
}

/** Compares secrets in constant time, whatever their lengths (hashing first equalises them). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

export function randomKey(): Buffer {
  return randomBytes(KEY_BYTES);
}
