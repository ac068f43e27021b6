import { text } from 'node:stream/consumers';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { allSettings, loadConfig, type AppConfig } from '../../config/index.js';
import { maskSecret } from '../../logging/redact.js';
import {
  CREDENTIAL_TARGETS,
  STORABLE_VARIABLES,
  readCredentialsFile,
  writeCredentialsFile,
  type CredentialTarget,
  type StoredCredentials,
} from '../../security/credentials-store.js';
import {
  credentialsFilePath,
  describeMasterKey,
  formatMasterKey,
  resolveMasterKey,
} from '../../security/master-key.js';
import { rotateMasterKey } from '../../security/rotate-key.js';

const USAGE = `ml-connector credentials set sage300 [--username USER] [--password PASS]
       ml-connector credentials set mailchimp [--api-key KEY | --oauth-token TOKEN]
       ml-connector credentials show
       ml-connector credentials rotate-key

  Values missing from the flags are read from stdin, one per line, when stdin is not a terminal
  (preferred: flags show up in the process list and shell history), for example
    printf '%s\\n' "$USER" "$PASS" | ml-connector credentials set sage300
  For mailchimp, a line shaped like <key>-<dc> is stored as the API key, anything else as an OAuth token.`;

type Flags = Record<string, string | undefined>;

/** The environment-only configuration: the credentials file must not be needed to find itself. */
const baseConfig = (): AppConfig => loadConfig({ env: process.env });

function validate(variable: string, value: string): void {
  const s = allSettings().find((x) => x.variable === variable);
  const parsed = s?.schema.safeParse(value);
  if (parsed && !parsed.success)
    throw new UsageError(
      `${variable}: ${parsed.error.issues.map((i: { message: string }) => i.message).join('; ')}`,
    );
}

/**
 * Works out the variables to store for a target: flags first, then stdin lines for the fields
 * the flags left out. Never echoes a value.
 */
export function credentialValues(
  target: CredentialTarget,
  flags: Flags,
  stdinLines: string[] = [],
): StoredCredentials {
  const lines = stdinLines.map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  const out: StoredCredentials = {};
  if (target === 'mailchimp') {
    if (flags['api-key'] && flags['oauth-token'])
      throw new UsageError('give --api-key or --oauth-token, not both');
    const apiKey = flags['api-key'];
    const token = flags['oauth-token'];
    if (apiKey) out.MAILCHIMP_API_KEY = apiKey.trim();
    else if (token) out.MAILCHIMP_OAUTH_TOKEN = token.trim();
    else if (lines[0]) {
      const v = lines[0].trim();
      out[/^[0-9a-zA-Z]+-[a-z]+\d+$/.test(v) ? 'MAILCHIMP_API_KEY' : 'MAILCHIMP_OAUTH_TOKEN'] = v;
    }
  } else {
    const fields = CREDENTIAL_TARGETS.sage300;
    for (const [flag, variable] of Object.entries(fields)) {
      const v = flags[flag] ?? lines.shift();
      // Passwords keep their spaces; a user name does not.
      if (v !== undefined && v !== '') out[variable] = flag === 'password' ? v : v.trim();
    }
  }
  for (const [k, v] of Object.entries(out)) validate(k, v);
  return out;
}

async function readStdinLines(): Promise<string[]> {
  if (process.stdin.isTTY) return [];
  return (await text(process.stdin)).split('\n');
}

async function set(rest: string[], out: (l: string) => void): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    rest,
    {
      username: { type: 'string' },
      password: { type: 'string' },
      'api-key': { type: 'string' },
      'oauth-token': { type: 'string' },
    },
    true,
  );
  const target = positionals[0];
  if (target !== 'sage300' && target !== 'mailchimp')
    throw new UsageError('say which credentials: set sage300 or set mailchimp');
  const allowed = Object.keys(CREDENTIAL_TARGETS[target]);
  const foreign = Object.keys(values).filter((f) => !allowed.includes(f));
  if (foreign.length) throw new UsageError(`--${foreign[0]} does not apply to ${target}`);

  const flags = values as Flags;
  const needsStdin =
    target === 'mailchimp' ? !flags['api-key'] && !flags['oauth-token'] : allowed.some((f) => !flags[f]);
  const updates = credentialValues(target, flags, needsStdin ? await readStdinLines() : []);
  if (Object.keys(updates).length === 0)
    throw new UsageError(`no ${target} credentials given (flags, or lines on stdin)`);

  const config = baseConfig();
  const master = await resolveMasterKey(config, { createIfMissing: true });
  if (!master) throw new Error('no master key');
  if (master.source === 'created')
    out(
      `Created a new random master key in ${master.file} (0600). Back it up: without it the stored credentials are lost.`,
    );
  const file = credentialsFilePath(config);
  const current = (await readCredentialsFile(file, master)) ?? {};
  // Mailchimp takes one of the two: storing one removes the other.
  if (target === 'mailchimp') for (const v of Object.values(CREDENTIAL_TARGETS.mailchimp)) delete current[v];
  await writeCredentialsFile(file, master, { ...current, ...updates });
  out(
    `Stored ${Object.keys(updates).join(', ')} in ${file} (AES-256-GCM, key ${master.id} from ${describeMasterKey(master)}).`,
  );
  const shadowed = Object.keys(updates).filter((v) => process.env[v]);
  if (shadowed.length)
    out(`Note: the environment sets ${shadowed.join(', ')}, which wins over the stored value.`);
  return 0;
}

async function show(out: (l: string) => void): Promise<number> {
  const config = baseConfig();
  const file = credentialsFilePath(config);
  const master = await resolveMasterKey(config, { createIfMissing: false });
  const stored = master ? ((await readCredentialsFile(file, master)) ?? undefined) : undefined;
  out(`credentials file: ${file}${stored ? '' : ' (none)'}`);
  out(`master key: ${master ? `${describeMasterKey(master)}, id ${master.id}` : '(none configured)'}`);
  for (const variable of STORABLE_VARIABLES) {
    const fromEnv = process.env[variable];
    const value = fromEnv || stored?.[variable];
    const where = fromEnv
      ? stored?.[variable]
        ? 'environment (overrides stored)'
        : 'environment'
      : stored?.[variable]
        ? 'stored'
        : '';
    out(`${variable.padEnd(24)} ${maskSecret(value).padEnd(20)} ${where}`.trimEnd());
  }
  return 0;
}

async function rotate(out: (l: string) => void): Promise<number> {
  const result = await rotateMasterKey(baseConfig());
  out(
    `Re-encrypted ${result.reencrypted.join(', ')} under new master key ${result.next.id} (was ${result.previous.id}).`,
  );
  out('Workflow histories written under the old key still decode: its payload key is kept in the keyring.');
  if (result.mustSetEnvironment) {
    out('The old key came from ML_CONNECTOR_MASTER_KEY, so the new one is printed here, once:');
    out(`  ML_CONNECTOR_MASTER_KEY=${formatMasterKey(result.next.key)}`);
    out(
      'Set it wherever the connector runs (the old key no longer opens these files), then restart the workers.',
    );
  } else {
    out(`The new key is in ${result.keyFile}. Restart the workers so they encrypt with it.`);
  }
  return 0;
}

export const command: Command = {
  summary:
    'Store the Sage 300 and Mailchimp credentials encrypted in the data folder; show them masked; rotate the key.',
  usage: USAGE,
  async run(argv, ctx) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'set':
        return set(rest, ctx.out);
      case 'show':
        parseCommandArgs(rest, {});
        return show(ctx.out);
      case 'rotate-key':
        parseCommandArgs(rest, {});
        return rotate(ctx.out);
      default:
        throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'say set, show or rotate-key');
    }
  },
};
