import { loadConfig, type AppConfig, type RawSettings } from '../../src/config/index.js';

/** A validated config from explicit variables only: tests never read the developer's environment. */
export function testConfig(vars: RawSettings = {}): AppConfig {
  return loadConfig({ env: { LOG_LEVEL: 'silent', ...vars } });
}
