import { chmod, mkdir, open as openFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { keyIdOf, open, seal, IV_BYTES, TAG_BYTES, deriveKey } from './crypto.js';

/**
 * A file sealed with a key derived from the master key:
 *   magic "MLC1" | purpose length (1) | purpose | key id length (1) | key id | iv (12) | tag (16) | ciphertext
 * Everything before the iv is the associated data, so changing the version, purpose or key id
 * fails authentication just like changing the ciphertext does.
 */
const MAGIC = Buffer.from('MLC1', 'ascii');

/** Wrong key, or a file that was modified or truncated: never garbage, always this error. */
export class CredentialsDecryptError extends Error {
  override readonly name = 'CredentialsDecryptError';
  constructor(readonly file: string) {
    super(`cannot decrypt ${file}: wrong ML_CONNECTOR_MASTER_KEY or the file was modified`);
  }
}

function header(purpose: string, keyId: string): Buffer {
  const p = Buffer.from(purpose, 'utf8');
  const k = Buffer.from(keyId, 'utf8');
  return Buffer.concat([MAGIC, Buffer.of(p.length), p, Buffer.of(k.length), k]);
}

export function sealBytes(master: Buffer, purpose: string, plaintext: Buffer): Buffer {
  const aad = header(purpose, keyIdOf(master));
  const { iv, tag, ciphertext } = seal(deriveKey(master, purpose), plaintext, aad);
  return Buffer.concat([aad, iv, tag, ciphertext]);
}

export function openBytes(master: Buffer, purpose: string, blob: Buffer, file: string): Buffer {
  try {
    const aad = header(purpose, keyIdOf(master));
    if (blob.length < aad.length + IV_BYTES + TAG_BYTES || !blob.subarray(0, aad.length).equals(aad))
      throw new Error('header mismatch');
    let at = aad.length;
    const iv = blob.subarray(at, (at += IV_BYTES));
    const tag = blob.subarray(at, (at += TAG_BYTES));
    return open(deriveKey(master, purpose), { iv, tag, ciphertext: blob.subarray(at) }, aad);
  } catch {
    throw new CredentialsDecryptError(file);
  }
}

/** Creates the folder owner-only (0700); an existing one is tightened too. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/**
 * Writes through a temporary file and a rename, so a crash never leaves half a file; mode 0600.
 * The folder is made owner-only too, unless it is not ours to change (`tightenDir: false`, for a
 * key file the user placed, for example under /run/secrets).
 */
export async function writePrivateFile(
  path: string,
  data: Buffer | string,
  options: { tightenDir?: boolean } = {},
): Promise<void> {
  if (options.tightenDir ?? true) await ensurePrivateDir(dirname(path));
  const tmp = `${path}.${process.pid}.tmp`;
  const handle = await openFile(tmp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * The text of a private file, created first (0600, in an owner-only folder) with `create()` when it
 * does not exist. The create is exclusive, so two processes starting together agree on one value.
 */
export async function readOrCreatePrivateFile(
  path: string,
  create: () => string,
): Promise<{ text: string; created: boolean }> {
  try {
    return { text: await readFile(path, 'utf8'), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await ensurePrivateDir(dirname(path));
  const text = create();
  try {
    await writeFile(path, text, { flag: 'wx', mode: 0o600 });
    return { text, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { text: await readFile(path, 'utf8'), created: false };
  }
}

export async function writeSealedFile(
  path: string,
  master: Buffer,
  purpose: string,
  plaintext: Buffer,
): Promise<void> {
  await writePrivateFile(path, sealBytes(master, purpose, plaintext));
}

/** Undefined when the file does not exist; CredentialsDecryptError when it cannot be opened. */
export async function readSealedFile(
  path: string,
  master: Buffer,
  purpose: string,
): Promise<Buffer | undefined> {
  let blob: Buffer;
  try {
    blob = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return openBytes(master, purpose, blob, path);
}
