import { existsSync } from 'node:fs';
import type { AppConfig } from '../config/index.js';
import { readSealedFile, writeSealedFile } from './sealed-file.js';
import { credentialsFilePath, resolveMasterKey, type MasterKey } from './master-key.js';

const PURPOSE = 'credentials';

/** What `credentials set <target>` accepts: flag name -> the environment variable it is stored as. */
export const CREDENTIAL_TARGETS = {
  sage300: { username: 'SAGE300_USERNAME', password: 'SAGE300_PASSWORD' },
  mailchimp: { 'api-key': 'MAILCHIMP_API_KEY', 'oauth-token': 'MAILCHIMP_OAUTH_TOKEN' },
} as const;

export type CredentialTarget = keyof typeof CREDENTIAL_TARGETS;
export const STORABLE_VARIABLES: ReadonlySet<string> = new Set(
  Object.values(CREDENTIAL_TARGETS).flatMap((t) => Object.values(t)),
);

/** Stored credentials by environment variable name, so they merge under the environment as-is. */
export type StoredCredentials = Record<string, string>;

interface FileBody {
  variables: StoredCredentials;
  updatedAt: string;
}

export async function readCredentialsFile(
  file: string,
  master: MasterKey,
): Promise<StoredCredentials | undefined> {
  const plain = await readSealedFile(file, master.key, PURPOSE);
  if (!plain) return undefined;
  const body = JSON.parse(plain.toString('utf8')) as FileBody;
  const out: StoredCredentials = {};
  for (const [k, v] of Object.entries(body.variables ?? {}))
    if (STORABLE_VARIABLES.has(k) && typeof v === 'string') out[k] = v;
  return out;
}

export async function writeCredentialsFile(
  file: string,
  master: MasterKey,
  variables: StoredCredentials,
): Promise<void> {
  for (const k of Object.keys(variables))
    if (!STORABLE_VARIABLES.has(k)) throw new Error(`${k} is not a credential the store keeps`);
  const body: FileBody = { variables, updatedAt: new Date().toISOString() };
  await writeSealedFile(file, master.key, PURPOSE, Buffer.from(JSON.stringify(body), 'utf8'));
}

/**
 * The stored credentials for a config, or an empty object when there is no credentials file.
 * A file without any master key configured is an error: the user would otherwise silently lose them.
 */
export async function loadStoredCredentials(
  config: Pick<AppConfig, 'app' | 'security'>,
): Promise<StoredCredentials> {
  const file = credentialsFilePath(config);
  const master = await resolveMasterKey(config, { createIfMissing: false });
  if (!master) {
    if (existsSync(file))
      throw new Error(
        `${file} exists but no master key is configured: set ML_CONNECTOR_MASTER_KEY or ML_CONNECTOR_MASTER_KEY_FILE, or restore ${config.app.dataDir}/master.key`,
      );
    return {};
  }
  return (await readCredentialsFile(file, master)) ?? {};
}
