import { readFileSync } from 'node:fs';
import {
  appSettings,
  mailchimpSettings,
  sage300Settings,
  securitySettings,
  syncSettings,
  temporalSettings,
  webhookSettings,
} from './sections.js';
import {
  ConfigError,
  readSection,
  type RawSettings,
  type SectionShape,
  type SectionValue,
} from './define.js';

export { ConfigError } from './define.js';
export type { RawSettings } from './define.js';

export const configSections = {
  app: appSettings,
  temporal: temporalSettings,
  sage300: sage300Settings,
  mailchimp: mailchimpSettings,
  sync: syncSettings,
  webhooks: webhookSettings,
  security: securitySettings,
} as const satisfies Record<string, SectionShape>;

type Sections = typeof configSections;
export type AppConfig = { [K in keyof Sections]: SectionValue<Sections[K]> };
export type Sage300Config = AppConfig['sage300'];
export type MailchimpConfig = AppConfig['mailchimp'];
export type TemporalConfig = AppConfig['temporal'];

/** Every variable the connector reads, for docs, the compose file check and `config`. */
export function allSettings() {
  return Object.entries(configSections).flatMap(([section, shape]) =>
    Object.entries(shape).map(([key, s]) => ({ section, key, ...s })),
  );
}

/**
 * A config file is a JSON object of variable names to values (the same names as the environment),
 * so a user can move a setting between the two without learning a second vocabulary.
 */
export function readConfigFile(path: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([`ML_CONNECTOR_CONFIG: cannot read ${path}: ${(err as Error).message}`]);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`ML_CONNECTOR_CONFIG: ${path} must hold a JSON object of VARIABLE: value`]);
  }
  const known = new Set(allSettings().map((s) => s.variable));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (!known.has(k)) throw new ConfigError([`ML_CONNECTOR_CONFIG: ${path} names unknown setting ${k}`]);
    out[k] = String(v);
  }
  return out;
}

export interface LoadConfigOptions {
  env?: RawSettings;
  /** Lower-precedence sources, for example decrypted credentials; the environment always wins. */
  fallbacks?: RawSettings[];
}

export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const fileSettings = env.ML_CONNECTOR_CONFIG ? readConfigFile(env.ML_CONNECTOR_CONFIG) : {};
  const raw: Record<string, string | undefined> = {};
  for (const source of [...(options.fallbacks ?? []).slice().reverse(), fileSettings, env]) {
    for (const [k, v] of Object.entries(source)) if (v !== undefined && v !== '') raw[k] = v;
  }
  const problems: string[] = [];
  const config = Object.fromEntries(
    Object.entries(configSections).map(([name, shape]) => [name, readSection(shape, raw, problems)]),
  ) as AppConfig;
  if (config.mailchimp.apiKey && config.mailchimp.oauthToken) {
    problems.push('MAILCHIMP_API_KEY and MAILCHIMP_OAUTH_TOKEN: set one of them, not both');
  }
  if (config.security.masterKey && config.security.masterKeyFile) {
    problems.push('ML_CONNECTOR_MASTER_KEY and ML_CONNECTOR_MASTER_KEY_FILE: set one of them, not both');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** True when the user configured a real Sage 300 / Mailchimp; otherwise `start` runs the sandbox. */
export function hasSage300(config: AppConfig): boolean {
  return Boolean(config.sage300.baseUrl && config.sage300.company && config.sage300.username);
}
export function hasMailchimp(config: AppConfig): boolean {
  return Boolean((config.mailchimp.apiKey || config.mailchimp.oauthToken) && config.mailchimp.listId);
}
