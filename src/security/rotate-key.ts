import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import type { AppConfig } from '../config/index.js';
import { randomKey } from './crypto.js';
import { readCredentialsFile, writeCredentialsFile } from './credentials-store.js';
import { payloadKeyFor, readPreviousPayloadKeys, writePreviousPayloadKeys } from './keyring.js';
import {
  credentialsFilePath,
  formatMasterKey,
  keyringFilePath,
  masterKeyFrom,
  MasterKeyError,
  resolveMasterKey,
  type MasterKey,
} from './master-key.js';
import { writePrivateFile } from './sealed-file.js';

export interface RotationResult {
  previous: MasterKey;
  next: MasterKey;
  /** Where the new key was written; undefined when it came from the environment and must be set there. */
  keyFile?: string;
  /** True when the user must put `formatMasterKey(next.key)` into ML_CONNECTOR_MASTER_KEY. */
  mustSetEnvironment: boolean;
  reencrypted: string[];
}

/**
 * Re-encrypts the credentials file and the keyring under a new random master key, and keeps the
 * old payload key in the keyring so workflow histories written before the rotation still decode.
 *
 * Order matters for crash safety: the new key is written to `<keyfile>.new` first, then the sealed
 * files are replaced, then the key file. A crash in between leaves the new key in `.new`.
 */
export async function rotateMasterKey(
  config: Pick<AppConfig, 'app' | 'security'>,
  newKey: Buffer = randomKey(),
): Promise<RotationResult> {
  const previous = await resolveMasterKey(config, { createIfMissing: false });
  if (!previous)
    throw new MasterKeyError('no master key to rotate (run `ml-connector credentials set` first)');
  const credFile = credentialsFilePath(config);
  const ringFile = keyringFilePath(config);
  const credentials = await readCredentialsFile(credFile, previous);
  const older = await readPreviousPayloadKeys(ringFile, previous);

  const keyFile = previous.source === 'env' ? undefined : previous.file;
  const next = masterKeyFrom(
    newKey,
    previous.source === 'created' ? 'data-dir-file' : previous.source,
    keyFile,
  );
  if (next.id === previous.id) throw new MasterKeyError('the new key is the current key');
  const pending = keyFile ? `${keyFile}.new` : undefined;
  if (pending)
    await writePrivateFile(pending, `${formatMasterKey(newKey)}\n`, {
      tightenDir: previous.source !== 'key-file',
    });

  const kept = [payloadKeyFor(previous), ...older.filter((k) => k.id !== previous.id && k.id !== next.id)];
  const reencrypted: string[] = [];
  if (credentials) {
    await writeCredentialsFile(credFile, next, credentials);
    reencrypted.push(credFile);
  }
  await writePreviousPayloadKeys(ringFile, next, kept);
  reencrypted.push(ringFile);
  if (pending && keyFile && existsSync(pending)) await rename(pending, keyFile);
  return { previous, next, keyFile, mustSetEnvironment: !keyFile, reencrypted };
}
