import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AppConfig } from '../config/index.js';
import { readOrCreatePrivateFile } from './sealed-file.js';

export interface CodecToken {
  token: string;
  /** Where it came from, in words for the user: the variable, or the file's path. */
  source: string;
  /** The token file, when the token is kept in one (for `--codec-auth "Bearer $(cat <file>)"`). */
  file?: string;
}

export const codecTokenFilePath = (config: Pick<AppConfig, 'app'>) => join(config.app.dataDir, 'codec-token');

/**
 * The codec server's bearer token: CODEC_SERVER_TOKEN, or else a random one kept in
 * `<dataDir>/codec-token` (0600, in the owner-only data folder), made on first use and the same on
 * every run. A file rather than a flag or a printed line: whoever may read it may decrypt, which is
 * exactly who may read the master key beside it.
 */
export async function resolveCodecToken(config: Pick<AppConfig, 'app' | 'security'>): Promise<CodecToken> {
  const configured = config.security.codecServerToken;
  if (configured) return { token: configured, source: 'CODEC_SERVER_TOKEN' };
  const file = codecTokenFilePath(config);
  const { text } = await readOrCreatePrivateFile(file, () => `${randomBytes(24).toString('base64url')}\n`);
  const token = text.trim();
  if (token.length < 16) throw new Error(`${file} must hold a token of at least 16 characters`);
  return { token, source: file, file };
}
