import { text } from 'node:stream/consumers';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { allSettings, loadConfig, readConfigFile, type AppConfig } from '../../config/index.js';
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
import { codecTokenFilePath } from '../../security/codec-token.js';
import { rotateMasterKey } from '../../security/rotate-key.js';

const USAGE = `ml-connector credentials set sage300 [--username USER] [--password PASS]
       ml-connector credentials set mailchimp [--api-key KEY | --oauth-token TOKEN]
       ml-connector credentials show        which secrets are set and where from (never their values)
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

/** The settings `show` reports: every stored credential, then every other secret setting. */
function secretVariables(): string[] {
  const others = allSettings()
    .filter((s) => s.secret && !STORABLE_VARIABLES.has(s.variable))
    .map((s) => s.variable);
  return [...STORABLE_VARIABLES, ...others];
}

/**
 * Where a secret's value comes from, in the order loadAppConfig applies them (the environment, the
 * config file, the credentials file), and which lower sources it shadows. Never a character of it.
 */
function describeSource(
  variable: string,
  sources: {
    env: NodeJS.ProcessEnv;
    file?: string;
    fileSettings: Record<string, string>;
    stored?: StoredCredentials;
  },
): string {
  const { env, file, fileSettings, stored } = sources;
  const found = [
    env[variable] ? 'the environment' : undefined,
    fileSettings[variable] ? `the config file ${file}` : undefined,
    stored?.[variable] ? 'the credentials file' : undefined,
  ].filter((x): x is string => x !== undefined);
  if (found.length === 0) return 'not set';
  // A Mailchimp API key or OAuth token from the environment or config file replaces both stored ones.
  const mailchimp: string[] = Object.values(CREDENTIAL_TARGETS.mailchimp);
  if (
    found.length === 1 &&
    stored?.[variable] &&
    mailchimp.includes(variable) &&
    mailchimp.some((v) => env[v] || fileSettings[v])
  )
    return 'set in the credentials file, not used (the other Mailchimp credential is configured)';
  const [used, ...shadowed] = found;
  return `set, from ${used}${shadowed.length ? ` (also in ${shadowed.join(' and ')}, not used)` : ''}`;
}

async function show(out: (l: string) => void): Promise<number> {
  const config = baseConfig();
  const file = credentialsFilePath(config);
  const master = await resolveMasterKey(config, { createIfMissing: false });
  const stored = master ? ((await readCredentialsFile(file, master)) ?? undefined) : undefined;
  const configFile = process.env.ML_CONNECTOR_CONFIG;
  const fileSettings = configFile ? readConfigFile(configFile) : {};
  out(`credentials file: ${file}${stored ? '' : ' (none)'}`);
  out(`master key: ${master ? `${describeMasterKey(master)}, id ${master.id}` : '(none configured)'}`);
  for (const variable of secretVariables()) {
    const where = describeSource(variable, { env: process.env, file: configFile, fileSettings, stored });
    const note =
      variable === 'CODEC_SERVER_TOKEN' && where === 'not set'
        ? ` (the codec server keeps its own in ${codecTokenFilePath(config)})`
        : '';
    out(`${variable.padEnd(32)} ${where}${note}`);
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
    'Store the Sage 300 and Mailchimp credentials encrypted in the data folder; show which secrets are set and where from; rotate the key.',
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
