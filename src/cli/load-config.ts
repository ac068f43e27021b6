import { loadConfig, type AppConfig } from '../config/index.js';
import { loadStoredCredentials } from '../security/credentials-store.js';
import { addSecretsToScrub } from '../logging/logger.js';

const MAILCHIMP_CREDENTIALS = ['MAILCHIMP_API_KEY', 'MAILCHIMP_OAUTH_TOKEN'];

/**
 * The configuration a command runs with. Credentials stored with `ml-connector credentials set`
 * are decrypted and used where the environment (or the config file) does not set the variable.
 * The two Mailchimp credentials are one choice: an API key or OAuth token from the environment
 * replaces whichever one is stored, instead of clashing with it.
 */
export async function loadAppConfig(env: NodeJS.ProcessEnv = process.env): Promise<AppConfig> {
  const base = loadConfig({ env });
  const stored = await loadStoredCredentials(base);
  const fallback = { ...stored };
  if (base.mailchimp.apiKey || base.mailchimp.oauthToken)
    for (const v of MAILCHIMP_CREDENTIALS) delete fallback[v];
  const config = Object.keys(fallback).length ? loadConfig({ env, fallbacks: [fallback] }) : base;
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
  return config;
}
