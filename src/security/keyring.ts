import type { AppConfig } from '../config/index.js';
import { deriveKey } from './crypto.js';
import { readSealedFile, writeSealedFile } from './sealed-file.js';
import { keyringFilePath, resolveMasterKey, type MasterKey } from './master-key.js';

const PURPOSE = 'keyring';

export interface PayloadKey {
  /** The id of the master key it derives from; written in every payload's metadata. */
  id: string;
  key: Buffer;
}

/** Encrypts with `current`; decrypts with any key it knows, so old histories survive a rotation. */
export interface PayloadKeyring {
  current: PayloadKey;
  byId: ReadonlyMap<string, Buffer>;
}

export function payloadKeyFor(master: MasterKey): PayloadKey {
  return { id: master.id, key: deriveKey(master.key, 'temporal-payloads') };
}

export function keyringOf(current: PayloadKey, previous: PayloadKey[] = []): PayloadKeyring {
  const byId = new Map<string, Buffer>(previous.map((k) => [k.id, k.key]));
  byId.set(current.id, current.key);
  return { current, byId };
}

/** Payload keys of earlier master keys, kept (sealed under the current master key) by rotate-key. */
export async function readPreviousPayloadKeys(file: string, master: MasterKey): Promise<PayloadKey[]> {
  const plain = await readSealedFile(file, master.key, PURPOSE);
  if (!plain) return [];
  const body = JSON.parse(plain.toString('utf8')) as { previous: { id: string; key: string }[] };
  return body.previous.map((k) => ({ id: k.id, key: Buffer.from(k.key, 'base64') }));
}

export async function writePreviousPayloadKeys(
  file: string,
  master: MasterKey,
  previous: PayloadKey[],
): Promise<void> {
  const body = { previous: previous.map((k) => ({ id: k.id, key: k.key.toString('base64') })) };
  await writeSealedFile(file, master.key, PURPOSE, Buffer.from(JSON.stringify(body), 'utf8'));
}

/** The keyring for this config's master key (created in the data folder when none is configured). */
export async function loadPayloadKeyring(
  config: Pick<AppConfig, 'app' | 'security'>,
  master?: MasterKey,
): Promise<PayloadKeyring> {
  const m = master ?? (await resolveMasterKey(config, { createIfMissing: true }));
  if (!m) throw new Error('no master key');
  return keyringOf(payloadKeyFor(m), await readPreviousPayloadKeys(keyringFilePath(config), m));
}
