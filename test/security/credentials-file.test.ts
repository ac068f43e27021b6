import { describe, expect, it } from '@jest/globals';
import { chmod, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  loadStoredCredentials,
  readCredentialsFile,
  writeCredentialsFile,
} from '../../src/security/credentials-store.js';
import {
  credentialsFilePath,
  masterKeyFrom,
  parseMasterKey,
  resolveMasterKey,
} from '../../src/security/master-key.js';
import { CredentialsDecryptError } from '../../src/security/sealed-file.js';
import { rotateMasterKey } from '../../src/security/rotate-key.js';
import { tempDataConfig } from './fixtures.js';

const secrets = { SAGE300_USERNAME: 'ADMIN', SAGE300_PASSWORD: 'Tr0ub4dor&3-secret' };

describe('the encrypted credentials file', () => {
  it('round-trips and never holds the values in plain text', async () => {
    const { config } = await tempDataConfig();
    const master = (await resolveMasterKey(config, { createIfMissing: true }))!;
    expect(master.source).toBe('created');
    const file = credentialsFilePath(config);
    await writeCredentialsFile(file, master, secrets);
    const raw = await readFile(file);
    expect(raw.includes('Tr0ub4dor')).toBe(false);
    expect(raw.includes('ADMIN')).toBe(false);
    expect(await readCredentialsFile(file, master)).toEqual(secrets);
    expect(await loadStoredCredentials(config)).toEqual(secrets);
  });

  it('uses a fresh IV on every write', async () => {
    const { config } = await tempDataConfig();
    const master = (await resolveMasterKey(config, { createIfMissing: true }))!;
    const file = credentialsFilePath(config);
    await writeCredentialsFile(file, master, secrets);
    const a = await readFile(file);
    await writeCredentialsFile(file, master, secrets);
    const b = await readFile(file);
    expect(a.equals(b)).toBe(false);
  });

  it('refuses a wrong key with a typed, clear error', async () => {
    const { config } = await tempDataConfig();
    const master = (await resolveMasterKey(config, { createIfMissing: true }))!;
    const file = credentialsFilePath(config);
    await writeCredentialsFile(file, master, secrets);
    const wrong = masterKeyFrom(randomBytes(32), 'env');
    await expect(readCredentialsFile(file, wrong)).rejects.toThrow(CredentialsDecryptError);
    await expect(readCredentialsFile(file, wrong)).rejects.toThrow(
      `cannot decrypt ${file}: wrong ML_CONNECTOR_MASTER_KEY or the file was modified`,
    );
  });

  it('detects a single flipped byte anywhere in the file', async () => {
    const { config } = await tempDataConfig();
    const master = (await resolveMasterKey(config, { createIfMissing: true }))!;
    const file = credentialsFilePath(config);
    await writeCredentialsFile(file, master, secrets);
    const original = await readFile(file);
    // header (version, key id), iv, tag, first and last ciphertext byte
    for (const at of [3, 10, original.length - 80, original.length - 60, original.length - 1]) {
      const tampered = Buffer.from(original);
      tampered[at] = tampered[at]! ^ 0x01;
      await writeFile(file, tampered);
      await expect(readCredentialsFile(file, master)).rejects.toThrow(CredentialsDecryptError);
    }
    await writeFile(file, original.subarray(0, original.length - 5));
    await expect(readCredentialsFile(file, master)).rejects.toThrow(CredentialsDecryptError);
  });

  it('is owner-only: file and key 0600, folder 0700', async () => {
    const { config, dataDir } = await tempDataConfig();
    const master = (await resolveMasterKey(config, { createIfMissing: true }))!;
    await writeCredentialsFile(credentialsFilePath(config), master, secrets);
    expect((await stat(credentialsFilePath(config))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'master.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
  });

  it('takes the key from ML_CONNECTOR_MASTER_KEY in hex or base64 and refuses a short one', async () => {
    const key = randomBytes(32);
    expect(parseMasterKey(key.toString('hex'), 'X').equals(key)).toBe(true);
    expect(parseMasterKey(key.toString('base64'), 'X').equals(key)).toBe(true);
    expect(() => parseMasterKey(randomBytes(16).toString('base64'), 'ML_CONNECTOR_MASTER_KEY')).toThrow(
      /ML_CONNECTOR_MASTER_KEY must hold a 32-byte key/,
    );
    const { config } = await tempDataConfig({ ML_CONNECTOR_MASTER_KEY: key.toString('base64') });
    const m = (await resolveMasterKey(config, { createIfMissing: true }))!;
    expect(m.source).toBe('env');
    expect(m.key.equals(key)).toBe(true);
  });

  it('rotation re-encrypts: readable with the new key, not with the old one', async () => {
    const { config } = await tempDataConfig();
    const old = (await resolveMasterKey(config, { createIfMissing: true }))!;
    const file = credentialsFilePath(config);
    await writeCredentialsFile(file, old, secrets);
    const before = await readFile(file);

    const result = await rotateMasterKey(config);
    expect(result.mustSetEnvironment).toBe(false);
    expect(result.next.id).not.toBe(old.id);
    const current = (await resolveMasterKey(config, { createIfMissing: false }))!;
    expect(current.id).toBe(result.next.id);
    expect((await readFile(file)).equals(before)).toBe(false);
    expect(await readCredentialsFile(file, current)).toEqual(secrets);
    await expect(readCredentialsFile(file, old)).rejects.toThrow(CredentialsDecryptError);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(result.keyFile!)).mode & 0o777).toBe(0o600);
  });

  it('rotation of an environment key leaves the new key for the user to set', async () => {
    const key = randomBytes(32).toString('hex');
    const { config } = await tempDataConfig({ ML_CONNECTOR_MASTER_KEY: key });
    const old = (await resolveMasterKey(config, { createIfMissing: false }))!;
    await writeCredentialsFile(credentialsFilePath(config), old, secrets);
    const result = await rotateMasterKey(config);
    expect(result.mustSetEnvironment).toBe(true);
    expect(result.keyFile).toBeUndefined();
    expect(await readCredentialsFile(credentialsFilePath(config), result.next)).toEqual(secrets);
  });

  it('rotation of ML_CONNECTOR_MASTER_KEY_FILE writes the new key there and leaves its folder alone', async () => {
    const keyDir = await mkdtemp(join(tmpdir(), 'mlc-keys-'));
    await chmod(keyDir, 0o755);
    const keyFile = join(keyDir, 'connector.key');
    await writeFile(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    const { config, dataDir } = await tempDataConfig({ ML_CONNECTOR_MASTER_KEY_FILE: keyFile });
    const old = (await resolveMasterKey(config, { createIfMissing: true }))!;
    expect(old.source).toBe('key-file');
    await writeCredentialsFile(credentialsFilePath(config), old, secrets);
    const result = await rotateMasterKey(config);
    expect(result.keyFile).toBe(keyFile);
    const reread = (await resolveMasterKey(config, { createIfMissing: false }))!;
    expect(reread.id).toBe(result.next.id);
    expect(await readCredentialsFile(credentialsFilePath(config), reread)).toEqual(secrets);
    expect((await stat(keyDir)).mode & 0o777).toBe(0o755);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    await expect(stat(join(dataDir, 'master.key'))).rejects.toThrow(/ENOENT/);
  });
});
