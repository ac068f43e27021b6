import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, type AppConfig } from '../config/index.js';
import { keyIdOf, randomKey, KEY_BYTES } from './crypto.js';
import { readOrCreatePrivateFile } from './sealed-file.js';

export type MasterKeySource = 'env' | 'key-file' | 'data-dir-file' | 'created';

export interface MasterKey {
  key: Buffer;
  /** Public name of the key (not secret): written next to what it seals. */
  id: string;
  /** ML_CONNECTOR_MASTER_KEY, ML_CONNECTOR_MASTER_KEY_FILE, <dataDir>/master.key, or just created there. */
  source: MasterKeySource;
  /** The file it was read from or written to, when it lives in a file. */
  file?: string;
}

/** A missing, unreadable or malformed master key: a configuration problem (exit code 78). */
export class MasterKeyError extends ConfigError {
  constructor(message: string) {
    super([message]);
  }
}

type SecurityPaths = Pick<AppConfig, 'app' | 'security'>;

export const credentialsFilePath = (config: Pick<AppConfig, 'app'>) =>
  join(config.app.dataDir, 'credentials.enc');
export const keyringFilePath = (config: Pick<AppConfig, 'app'>) => join(config.app.dataDir, 'keyring.enc');
export const defaultMasterKeyFilePath = (config: Pick<AppConfig, 'app'>) =>
  join(config.app.dataDir, 'master.key');

/** 32 bytes as 64 hex digits or as base64 (with or without padding); anything else is refused. */
export function parseMasterKey(text: string, where: string): Buffer {
  const t = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t))
    key = Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
  if (!key || key.length !== KEY_BYTES)
    throw new MasterKeyError(
      `${where} must hold a 32-byte key as 64 hex digits or base64 (generate one with: openssl rand -base64 32)`,
    );
  return key;
}

export function formatMasterKey(key: Buffer): string {
  return key.toString('base64');
}

export function masterKeyFrom(key: Buffer, source: MasterKeySource, file?: string): MasterKey {
  return { key, id: keyIdOf(key), source, file };
}

async function readKeyFile(file: string, where: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MasterKeyError(`${where}: cannot read ${file}: ${(err as Error).message}`);
  }
  return parseMasterKey(text, `${where} (${file})`);
}

/**
 * The master key, from the first of: ML_CONNECTOR_MASTER_KEY, ML_CONNECTOR_MASTER_KEY_FILE,
 * <dataDir>/master.key. With `createIfMissing`, a random key is written to <dataDir>/master.key
 * (0600, exclusive create so two processes starting together agree on one key).
 */
export async function resolveMasterKey(
  config: SecurityPaths,
  options: { createIfMissing: boolean },
): Promise<MasterKey | undefined> {
  const { masterKey, masterKeyFile } = config.security;
  if (masterKey) return masterKeyFrom(parseMasterKey(masterKey, 'ML_CONNECTOR_MASTER_KEY'), 'env');
  if (masterKeyFile) {
    if (resolve(masterKeyFile) === resolve(credentialsFilePath(config)))
      throw new MasterKeyError('ML_CONNECTOR_MASTER_KEY_FILE must not be the credentials file');
    const key = await readKeyFile(masterKeyFile, 'ML_CONNECTOR_MASTER_KEY_FILE');
    if (!key) throw new MasterKeyError(`ML_CONNECTOR_MASTER_KEY_FILE: ${masterKeyFile} does not exist`);
    return masterKeyFrom(key, 'key-file', masterKeyFile);
  }
  const file = defaultMasterKeyFilePath(config);
  const existing = await readKeyFile(file, 'master key file');
  if (existing) return masterKeyFrom(existing, 'data-dir-file', file);
  if (!options.createIfMissing) return undefined;
  const { text, created } = await readOrCreatePrivateFile(file, () => `${formatMasterKey(randomKey())}\n`);
  return masterKeyFrom(
    parseMasterKey(text, `master key file (${file})`),
    created ? 'created' : 'data-dir-file',
    file,
  );
}

/** Where the key came from, in words for the user (never the key itself). */
export function describeMasterKey(m: MasterKey): string {
  switch (m.source) {
    case 'env':
      return 'ML_CONNECTOR_MASTER_KEY';
    case 'key-file':
      return `ML_CONNECTOR_MASTER_KEY_FILE (${m.file})`;
    case 'data-dir-file':
      return m.file ?? 'master.key';
    case 'created':
      return `${m.file} (created)`;
  }
}
