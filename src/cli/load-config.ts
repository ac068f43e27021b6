import { loadConfig, type AppConfig } from '../config/index.js';

/**
 * The configuration a command runs with. Credentials stored with `ml-connector credentials set`
 * are decrypted and used where the environment does not set the variable.
 */
export async function loadAppConfig(env: NodeJS.ProcessEnv = process.env): Promise<AppConfig> {
  return loadConfig({ env });
}
