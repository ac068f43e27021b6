import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/index.js';
import { loadAppConfig } from '../../src/cli/load-config.js';
import { credentialValues } from '../../src/cli/commands/credentials.js';

const PASSWORD = 'Tr0ub4dor&3-horse';
const API_KEY = '0123456789abcdef0123456789abcdef-us6';
const randomSecret = () => randomBytes(12).toString('base64url');
const [ENV_PASSWORD, ENV_TOKEN, FILE_SECRET] = [randomSecret(), randomSecret(), randomSecret()];
const VARS = [
  'ML_CONNECTOR_DATA_DIR',
  'ML_CONNECTOR_MASTER_KEY',
  'ML_CONNECTOR_MASTER_KEY_FILE',
  'ML_CONNECTOR_CONFIG',
  'SAGE300_USERNAME',
  'SAGE300_PASSWORD',
  'MAILCHIMP_API_KEY',
  'MAILCHIMP_OAUTH_TOKEN',
  'LOG_LEVEL',
  'WEBHOOK_SECRET',
];

/** Every 4-character piece of the secrets that shows up in `text`. */
function secretFragments(text: string, secrets: string[]): string[] {
  return secrets.flatMap((secret) =>
    Array.from({ length: secret.length - 3 }, (_, i) => secret.slice(i, i + 4)).filter((f) =>
      text.includes(f),
    ),
  );
}

/** Runs the real CLI entry in-process and captures what it prints. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const origOut = process.stdout.write.bind(process.stdout);
  const origErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => (
    out.push(String(chunk)),
    true
  )) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (
    err.push(String(chunk)),
    true
  )) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = origOut;
    process.stderr.write = origErr;
  }
}

describe('ml-connector credentials (through the CLI entry)', () => {
  const saved: Record<string, string | undefined> = {};
  let dataDir: string;
  beforeEach(async () => {
    for (const v of VARS) {
      saved[v] = process.env[v];
      delete process.env[v];
    }
    dataDir = join(await mkdtemp(join(tmpdir(), 'mlc-cli-')), 'data');
    process.env.ML_CONNECTOR_DATA_DIR = dataDir;
    process.env.LOG_LEVEL = 'silent';
  });
  afterEach(() => {
    for (const v of VARS) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
  });

  it('stores, shows which secrets are set and from where (no character of them), feeds the config under the environment, and rotates', async () => {
    const set1 = await cli(['credentials', 'set', 'sage300', '--username', 'ADMIN', '--password', PASSWORD]);
    expect(set1.code).toBe(0);
    expect(set1.stdout).toContain(`Created a new random master key in ${join(dataDir, 'master.key')}`);
    expect(set1.stdout).toContain('Stored SAGE300_USERNAME, SAGE300_PASSWORD');
    expect(set1.stdout).not.toContain(PASSWORD);
    expect((await stat(join(dataDir, 'credentials.enc'))).mode & 0o777).toBe(0o600);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);

    expect((await cli(['credentials', 'set', 'mailchimp', '--api-key', API_KEY])).code).toBe(0);

    const shown = await cli(['credentials', 'show']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/SAGE300_PASSWORD\s+set, from the credentials file\n/);
    expect(shown.stdout).toMatch(/MAILCHIMP_API_KEY\s+set, from the credentials file\n/);
    expect(shown.stdout).toMatch(/MAILCHIMP_OAUTH_TOKEN\s+not set\n/);
    expect(shown.stdout).toMatch(/WEBHOOK_SECRET\s+not set\n/);
    // Not even a few characters: the first and last two of a password narrow a guess.
    expect(secretFragments(shown.stdout, [PASSWORD, API_KEY])).toEqual([]);

    // Where each one comes from, and what a higher source shadows.
    const configFile = join(dataDir, '..', 'settings.json');
    await writeFile(configFile, JSON.stringify({ WEBHOOK_SECRET: FILE_SECRET }));
    process.env.ML_CONNECTOR_CONFIG = configFile;
    process.env.SAGE300_PASSWORD = ENV_PASSWORD;
    process.env.MAILCHIMP_OAUTH_TOKEN = ENV_TOKEN;
    delete process.env.LOG_LEVEL;
    const sources = await cli(['credentials', 'show']);
    process.env.LOG_LEVEL = 'silent';
    delete process.env.SAGE300_PASSWORD;
    delete process.env.MAILCHIMP_OAUTH_TOKEN;
    delete process.env.ML_CONNECTOR_CONFIG;
    expect(sources.stdout).toMatch(
      /SAGE300_PASSWORD\s+set, from the environment \(also in the credentials file, not used\)\n/,
    );
    expect(sources.stdout).toMatch(/MAILCHIMP_API_KEY\s+set in the credentials file, not used/);
    expect(sources.stdout).toMatch(/WEBHOOK_SECRET\s+set, from the config file .*settings\.json\n/);
    expect(
      secretFragments(sources.stdout, [PASSWORD, API_KEY, ENV_PASSWORD, ENV_TOKEN, FILE_SECRET]),
    ).toEqual([]);

    let config = await loadAppConfig(process.env);
    expect(config.sage300.username).toBe('ADMIN');
    expect(config.sage300.password).toBe(PASSWORD);
    expect(config.mailchimp.apiKey).toBe(API_KEY);
    config = await loadAppConfig({
      ...process.env,
      SAGE300_PASSWORD: 'from-env',
      MAILCHIMP_OAUTH_TOKEN: 'tok-env',
    });
    expect(config.sage300.password).toBe('from-env');
    expect(config.mailchimp.oauthToken).toBe('tok-env');
    expect(config.mailchimp.apiKey).toBeUndefined();

    const configCmd = await cli(['config']);
    expect(configCmd.code).toBe(0);
    expect(configCmd.stdout).not.toContain(PASSWORD);

    const rotated = await cli(['credentials', 'rotate-key']);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain(`The new key is in ${join(dataDir, 'master.key')}`);
    expect((await loadAppConfig(process.env)).sage300.password).toBe(PASSWORD);
  });

  it('fails clearly with a wrong key', async () => {
    expect(
      (await cli(['credentials', 'set', 'sage300', '--username', 'ADMIN', '--password', PASSWORD])).code,
    ).toBe(0);
    process.env.ML_CONNECTOR_MASTER_KEY = randomBytes(32).toString('base64');
    const shown = await cli(['credentials', 'show']);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toContain(
      `cannot decrypt ${join(dataDir, 'credentials.enc')}: wrong ML_CONNECTOR_MASTER_KEY or the file was modified`,
    );
    expect(shown.stdout + shown.stderr).not.toContain(PASSWORD);
    await expect(loadAppConfig(process.env)).rejects.toThrow('cannot decrypt');
  });

  it('reports a malformed master key as a configuration error (exit 78)', async () => {
    process.env.ML_CONNECTOR_MASTER_KEY = 'too-short';
    const r = await cli(['credentials', 'set', 'sage300', '--username', 'ADMIN', '--password', PASSWORD]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('ML_CONNECTOR_MASTER_KEY must hold a 32-byte key');
    expect(r.stderr).not.toContain('too-short');
  });

  it('refuses an invalid value without echoing it', async () => {
    const r = await cli(['credentials', 'set', 'mailchimp', '--api-key', 'not-a-valid-key!']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('MAILCHIMP_API_KEY: must look like');
    expect(r.stderr).not.toContain('not-a-valid-key!');
  });
});

describe('credential values from stdin lines', () => {
  it('fills the fields the flags left out, in order, keeping password spaces', () => {
    expect(credentialValues('sage300', {}, ['admin ', ' pass word\r', ''])).toEqual({
      SAGE300_USERNAME: 'admin',
      SAGE300_PASSWORD: ' pass word',
    });
    expect(credentialValues('sage300', { username: 'ADMIN' }, ['secret'])).toEqual({
      SAGE300_USERNAME: 'ADMIN',
      SAGE300_PASSWORD: 'secret',
    });
    expect(credentialValues('mailchimp', {}, [API_KEY])).toEqual({ MAILCHIMP_API_KEY: API_KEY });
    expect(credentialValues('mailchimp', {}, ['abcdef0123456789'])).toEqual({
      MAILCHIMP_OAUTH_TOKEN: 'abcdef0123456789',
    });
  });
});
