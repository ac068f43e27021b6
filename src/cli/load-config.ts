import { loadConfig, type AppConfig } from '../config/index.js';
import { loadStoredCredentials } from '../security/credentials-store.js';
import { addSecretsToScrub } from '../logging/logger.js';
import { withRunningSandbox, type SandboxUse } from '../starter/sandbox-settings.js';

const MAILCHIMP_CREDENTIALS = ['MAILCHIMP_API_KEY', 'MAILCHIMP_OAUTH_TOKEN'];

/** The user's own configuration, with no sandbox: see loadUserConfig. */
export async function loadAppConfig(env: NodeJS.ProcessEnv = process.env): Promise<AppConfig> {
  return (await loadCommandConfig(env, { sandbox: false })).config;
}

/**
 * The configuration of a command, completed, unless it is `start` itself, with the simulators of a
 * sandbox that `start` runs on the same data folder for the sides the user did not configure: so
 * the commands of a second terminal work on the sandbox as printed in the README.
 */
export async function loadCommandConfig(
  env: NodeJS.ProcessEnv,
  options: { sandbox: boolean },
): Promise<{ config: AppConfig; sandbox?: SandboxUse }> {
  const loaded = await loadUserConfig(env);
  const { config, sandbox } = options.sandbox ? withRunningSandbox(loaded) : { config: loaded };
  // Whatever the logger is handed, these exact values never reach a log line.
  addSecretsToScrub([
    config.sage300.password,
    config.mailchimp.apiKey,
    config.mailchimp.oauthToken,
    config.security.masterKey,
    config.security.codecServerToken,
    config.webhooks.secret,
    config.temporal.apiKey,
  ]);
  return { config, ...(sandbox ? { sandbox } : {}) };
}

/**
 * Credentials stored with `ml-connector credentials set` are decrypted and used where the
 * environment (or the config file) does not set the variable. The two Mailchimp credentials are one
 * choice: an API key or OAuth token from the environment replaces whichever one is stored, instead
 * of clashing with it.
 */
async function loadUserConfig(env: NodeJS.ProcessEnv): Promise<AppConfig> {
  const base = loadConfig({ env });
  const stored = await loadStoredCredentials(base);
  const fallback = { ...stored };
  if (base.mailchimp.apiKey || base.mailchimp.oauthToken)
    for (const v of MAILCHIMP_CREDENTIALS) delete fallback[v];
  return Object.keys(fallback).length ? loadConfig({ env, fallbacks: [fallback] }) : base;
}
