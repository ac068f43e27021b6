import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Sage300AuthError } from '../../src/sage300/errors.js';
import { startPair } from './helpers.js';
import { testConfig } from '../helpers/config.js';
import { Sage300Client } from '../../src/sage300/client.js';
import { memoryLogger } from '../helpers/logger.js';

async function authError(p: Promise<unknown>): Promise<Sage300AuthError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(Sage300AuthError);
    return err as Sage300AuthError;
  }
  throw new Error('expected an auth error');
}

describe('Sage 300 auth: legacy upper-case passwords', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    pair = await startPair({ username: 'WEBAPI', password: 'WEBAPI', passwordMode: 'legacy-uppercase' });
  });
  afterAll(() => pair.stop());

  it('upper-cases a lower-case user ID and password typed by the user', async () => {
    const c = pair.clientFor({ username: 'webapi', password: 'webapi' });
    const page = await c.getPage('customers', { top: 2 });
    expect(page.records).toHaveLength(2);
  });

  it('fails with 401 for the same lower-case password sent as typed', async () => {
    const c = pair.clientFor({ username: 'webapi', password: 'webapi', preservePasswordCase: true });
    const err = await authError(c.getPage('customers', { top: 1 }));
    expect(err.status).toBe(401);
    expect(err.retryable).toBe(false);
  });

  it('explains what to check on a wrong password, without echoing credentials', async () => {
    const c = pair.clientFor({ username: 'webapi', password: 'wrong-secret' });
    const err = await authError(c.getByKey('customers', '1200'));
    expect(err.status).toBe(401);
    expect(err.code).toBe('Unauthorized');
    expect(err.message).toMatch(/Invalid user ID or password/);
    expect(err.message).toMatch(/upper-case/);
    expect(err.message).toMatch(/"Sage 300 Web API" right/);
    expect(err.message).toMatch(/ADMIN is blocked/);
    expect(err.message).not.toMatch(/wrong-secret|WRONG-SECRET/);
  });

  it('names the company when it does not exist', async () => {
    const c = pair.clientFor({ company: 'NOPE' });
    const err = await authError(c.getPage('customers', { top: 1 }));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/company NOPE/);
  });
});

describe('Sage 300 auth: case-sensitive (exact) passwords and rights', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    pair = await startPair({
      username: 'WEBAPI',
      password: 'Mixed-Case-9!',
      passwordMode: 'exact',
      users: [
        { username: 'ORDERS', password: 'Orders-1', modules: ['OE'] },
        { username: 'ADMIN', password: 'ADMIN' },
      ],
    });
  });
  afterAll(() => pair.stop());

  it('needs SAGE300_PRESERVE_PASSWORD_CASE for a mixed-case password', async () => {
    const upper = pair.clientFor({ username: 'webapi', password: 'Mixed-Case-9!' });
    expect((await authError(upper.getPage('customers', { top: 1 }))).status).toBe(401);
    const config = testConfig({
      SAGE300_BASE_URL: pair.sim.baseUrl,
      SAGE300_COMPANY: pair.sim.company,
      SAGE300_USERNAME: 'webapi',
      SAGE300_PASSWORD: 'Mixed-Case-9!',
      SAGE300_PRESERVE_PASSWORD_CASE: 'true',
    });
    const fromConfig = Sage300Client.fromConfig(config.sage300);
    try {
      expect((await fromConfig.getPage('customers', { top: 3 })).records).toHaveLength(3);
    } finally {
      fromConfig.close();
    }
  });

  it('answers 403 for a user without the Web API right on the module, not retryable', async () => {
    const c = pair.clientFor({ username: 'orders', password: 'Orders-1', preservePasswordCase: true });
    expect((await c.getPage('orders', { top: 1 })).records).toHaveLength(1);
    const before = pair.sim.requestCount;
    const err = await authError(c.getPage('customers', { top: 1 }));
    expect(err.status).toBe(403);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/module AR/);
    expect(pair.sim.requestCount - before).toBe(1);
  });

  it('answers 403 for ADMIN while AllowWebApiAccessForAdmin is off', async () => {
    const c = pair.clientFor({ username: 'admin', password: 'admin' });
    const err = await authError(c.getPage('items', { top: 1 }));
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/AllowWebApiAccessForAdmin/);
  });

  it('never logs the Authorization header or the password', async () => {
    const { logger, lines } = memoryLogger('debug');
    const c = pair.clientFor({
      username: 'webapi',
      password: 'Mixed-Case-9!',
      preservePasswordCase: true,
      logger,
    });
    pair.sim.faults.set({ failNext: 1, errorStatuses: [500] });
    await c.getPage('customers', { top: 1 });
    pair.sim.faults.clear();
    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/Mixed-Case-9|Basic |authorization/i);
  });

  it('fromConfig names the missing settings', () => {
    expect(() => Sage300Client.fromConfig(testConfig({}).sage300)).toThrow(/SAGE300_BASE_URL/);
  });
});
