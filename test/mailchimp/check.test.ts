import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runChecks } from '../../src/check/run-checks.js';
import type { CliContext } from '../../src/cli/command.js';
import { command } from '../../src/cli/commands/check.js';
import type { AppConfig, RawSettings } from '../../src/config/index.js';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { startSage300Simulator, type Sage300Simulator } from '../../simulators/sage300/index.js';
import { testConfig } from '../helpers/config.js';
import { simClient } from './helpers.js';
import { freePort } from '../helpers/ports.js';

let sage: Sage300Simulator;
let mc: MailchimpSimulator;
let listId: string;

beforeAll(async () => {
  [sage, mc] = await Promise.all([
    startSage300Simulator({
      customers: 5,
      orders: 5,
      items: 5,
      users: [
        { username: 'ARONLY', password: 'ARPASS', modules: ['AR'] },
        { username: 'ADMIN', password: 'ADMIN' },
      ],
    }),
    startMailchimpSimulator(),
  ]);
  listId = mc.state.createList({ name: 'Customers' });
});
afterAll(async () => {
  await Promise.all([sage.stop(), mc.stop()]);
});

function vars(over: RawSettings = {}): RawSettings {
  return {
    SAGE300_BASE_URL: sage.baseUrl,
    SAGE300_COMPANY: sage.company,
    SAGE300_USERNAME: sage.username,
    SAGE300_PASSWORD: sage.password,
    MAILCHIMP_API_KEY: mc.apiKey,
    MAILCHIMP_API_URL: mc.apiUrl,
    MAILCHIMP_LIST_ID: listId,
    MAILCHIMP_STORE_ID: 'saminc-store',
    ...over,
  };
}

async function runCommand(argv: string[], config: AppConfig): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const { memoryLogger } = await import('../helpers/logger.js');
  const ctx: CliContext = {
    config: async () => config,
    logger: () => memoryLogger().logger,
    out: (l) => lines.push(l),
  };
  return { code: await command.run(argv, ctx), lines };
}

describe('ml-connector check', () => {
  it('passes against both simulators (a missing store is fine: it will be created)', async () => {
    const { code, lines } = await runCommand([], testConfig(vars()));
    expect(code).toBe(0);
    expect(lines.filter((l) => l.startsWith('OK '))).toHaveLength(6); // customers, orders, items, ping, audience, store
    expect(lines.join('\n')).toMatch(/store\s+saminc-store does not exist yet/);
    expect(lines.at(-1)).toBe('All checks passed.');

    const json = await runCommand(['--json'], testConfig(vars()));
    const report = JSON.parse(json.lines.join('\n')) as {
      ok: boolean;
      results: { system: string; check: string }[];
    };
    expect(report.ok).toBe(true);
    expect(report.results.map((r) => `${r.system}.${r.check}`)).toEqual([
      'sage300.customers',
      'sage300.orders',
      'sage300.items',
      'mailchimp.ping',
      'mailchimp.audience',
      'mailchimp.store',
    ]);
  });

  it('fails with explanations for a wrong Sage password and a wrong Mailchimp key, without printing them', async () => {
    const badKey = `${'9'.repeat(32)}-us6`;
    const before = sage.requestCount;
    const { code, lines } = await runCommand(
      [],
      testConfig(vars({ SAGE300_PASSWORD: 'not-the-password', MAILCHIMP_API_KEY: badKey })),
    );
    const text = lines.join('\n');
    expect(code).not.toBe(0);
    expect(text).toMatch(
      /FAIL sage300\s+customers\s+Sage 300 rejected the credentials \(HTTP 401.*Invalid user ID or password/,
    );
    expect(text).toMatch(/SAGE300_PASSWORD/);
    expect(text).toMatch(/Sage 300 Web API/);
    expect(text).toMatch(/ADMIN/);
    expect(text).toMatch(/FAIL sage300\s+orders\s+not tried after the login failed/);
    expect(sage.requestCount - before).toBe(1); // one failed login, not three
    expect(text).toMatch(/FAIL mailchimp\s+ping\s+Mailchimp answered HTTP 401 \(API Key Invalid/);
    expect(text).toMatch(/Check MAILCHIMP_API_KEY/);
    expect(text).not.toContain(badKey);
    expect(text).not.toContain('not-the-password');
    expect(lines.at(-1)).toMatch(/Some checks failed/);

    const json = await runCommand(
      ['--json', '--only', 'mailchimp'],
      testConfig(vars({ MAILCHIMP_API_KEY: badKey })),
    );
    expect(json.code).toBe(1);
    expect(JSON.parse(json.lines.join('\n'))).toMatchObject({
      ok: false,
      results: [
        { system: 'mailchimp', check: 'ping', ok: false, hint: expect.stringMatching(/MAILCHIMP_API_KEY/) },
        { check: 'audience', ok: false, detail: 'not tried after the credentials were refused' },
        { check: 'store', ok: false, detail: 'not tried after the credentials were refused' },
      ],
    });
  });

  it('explains an unknown audience, a store tied to another audience, and an unreachable Sage', async () => {
    const other = mc.state.createList({ name: 'Other' });
    const client = await simClient(mc);
    await client.ensureStore({ id: 'other-store', listId: other, name: 'Other', currencyCode: 'USD' });
    const closed = await freePort();
    const report = await runChecks(
      testConfig(
        vars({
          MAILCHIMP_LIST_ID: 'nosuchlist',
          MAILCHIMP_STORE_ID: 'other-store',
          SAGE300_BASE_URL: `http://127.0.0.1:${closed}/Sage300WebApi`,
        }),
      ),
    );
    expect(report.ok).toBe(false);
    const by = Object.fromEntries(report.results.map((r) => [`${r.system}.${r.check}`, r]));
    expect(by['mailchimp.ping']?.ok).toBe(true);
    expect(by['mailchimp.audience']).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/MAILCHIMP_LIST_ID nosuchlist is not an audience/),
    });
    expect(by['mailchimp.store']).toMatchObject({
      ok: false,
      hint: expect.stringMatching(/MAILCHIMP_STORE_ID/),
    });
    expect(by['sage300.customers']).toMatchObject({
      ok: false,
      hint: expect.stringMatching(/Cannot reach SAGE300_BASE_URL/),
    });
  });

  it('checks each entity set when rights differ per module, and explains ADMIN', async () => {
    const partial = await runChecks(
      testConfig(vars({ SAGE300_USERNAME: 'ARONLY', SAGE300_PASSWORD: 'arpass' })),
      {
        systems: ['sage300'],
      },
    );
    expect(partial.results.map((r) => [r.check, r.ok])).toEqual([
      ['customers', true],
      ['orders', false],
      ['items', false],
    ]);
    expect(partial.results[1]).toMatchObject({
      detail: expect.stringMatching(/HTTP 403.*Sage 300 Web API right for OE/),
      hint: expect.stringMatching(/"Sage 300 Web API" right/),
    });
    const admin = await runChecks(
      testConfig(vars({ SAGE300_USERNAME: 'ADMIN', SAGE300_PASSWORD: 'ADMIN' })),
      {
        systems: ['sage300'],
      },
    );
    expect(admin.results[0]).toMatchObject({ ok: false, hint: expect.stringMatching(/ADMIN is blocked/) });
  });

  it('says which settings are missing when nothing is configured', async () => {
    const report = await runChecks(testConfig({}));
    expect(report.ok).toBe(false);
    expect(report.results).toEqual([
      expect.objectContaining({
        system: 'sage300',
        check: 'configuration',
        detail: expect.stringMatching(/SAGE300_BASE_URL/),
      }),
      expect.objectContaining({
        system: 'mailchimp',
        check: 'configuration',
        hint: expect.stringMatching(/MAILCHIMP_API_KEY/),
      }),
    ]);
  });
});
