import { describe, expect, it } from '@jest/globals';
import { ConfigError, allSettings, loadConfig } from '../../src/config/index.js';

describe('config', () => {
  it('gives defaults from the one schema', () => {
    const c = loadConfig({ env: {} });
    expect(c.temporal.namespace).toBe('default');
    expect(c.temporal.taskQueue).toBe('ml-connector');
    expect(c.temporal.address).toBeUndefined();
    expect(c.sage300.pageSize).toBe(1000);
    expect(c.sage300.preservePasswordCase).toBe(false);
    expect(c.mailchimp.maxConnections).toBe(8);
  });

  it('names the variable and the problem for a malformed TEMPORAL_ADDRESS', () => {
    expect(() => loadConfig({ env: { TEMPORAL_ADDRESS: 'http://x' } })).toThrow(
      /TEMPORAL_ADDRESS: must be host:port, for example localhost:7233 \(got "http:\/\/x"\)/,
    );
  });

  it('collects every problem, and never echoes a secret', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({
        env: { MAILCHIMP_MAX_CONNECTIONS: '11', SAGE300_PAGE_SIZE: 'many', MAILCHIMP_API_KEY: 'supersecret' },
      });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^MAILCHIMP_MAX_CONNECTIONS: must be at most 10/),
        expect.stringMatching(/^SAGE300_PAGE_SIZE: must be a whole number/),
        expect.stringMatching(/^MAILCHIMP_API_KEY: must look like <key>-<dc>/),
      ]),
    );
    expect(error!.message).not.toContain('supersecret');
  });

  it('parses booleans strictly', () => {
    expect(loadConfig({ env: { SAGE300_PRESERVE_PASSWORD_CASE: 'true' } }).sage300.preservePasswordCase).toBe(
      true,
    );
    expect(() => loadConfig({ env: { SAGE300_PRESERVE_PASSWORD_CASE: 'maybe' } })).toThrow(
      /SAGE300_PRESERVE_PASSWORD_CASE: must be true or false/,
    );
  });

  it('lets the environment win over lower-precedence sources', () => {
    const c = loadConfig({
      env: { SAGE300_COMPANY: 'SAMINC' },
      fallbacks: [{ SAGE300_COMPANY: 'OTHER', SAGE300_USERNAME: 'WEBAPI' }],
    });
    expect(c.sage300.company).toBe('SAMINC');
    expect(c.sage300.username).toBe('WEBAPI');
  });

  it('documents every variable exactly once', () => {
    const names = allSettings().map((s) => s.variable);
    expect(new Set(names).size).toBe(names.length);
    for (const s of allSettings()) expect(s.doc.length).toBeGreaterThan(10);
  });
});
