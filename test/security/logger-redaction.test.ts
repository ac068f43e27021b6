import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import got, { RequestError } from 'got';
import { memoryLogger } from '../helpers/logger.js';
import { addSecretsToScrub } from '../../src/logging/logger.js';

const PASSWORD = 'Pa55w0rd-Zebra!';
const TOKEN = 'tok_9f8e7d6c5b4a39281706';
const API_KEY = 'SECRETAPIKEY0123456789-us6';
const EMAIL = 'priya.n@maplehw.example';
const BASIC = Buffer.from(`ADMIN:${PASSWORD}`).toString('base64');

/** A real got failure: a request to a local server that answers 401 (and echoes the email). */
async function gotFailure(url: string): Promise<RequestError> {
  try {
    await got(`${url}/Sage300WebApi/v1.0/-/SAMINC/AR/ARCustomers`, {
      searchParams: { email: EMAIL, apikey: API_KEY },
      username: 'ADMIN',
      password: PASSWORD,
      headers: { authorization: `Bearer ${TOKEN}`, 'x-api-key': API_KEY },
      retry: { limit: 0 },
    });
  } catch (err) {
    return err as RequestError;
  }
  throw new Error('expected a failure');
}

function expectClean(text: string) {
  for (const secret of [PASSWORD, TOKEN, API_KEY, BASIC, EMAIL, 'priya.n%40maplehw', 'ADMIN:'])
    expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
}

describe('log redaction', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = 401;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: `no access for ${EMAIL}`, auth: req.headers.authorization }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  it('keeps passwords, Authorization values and full emails out of got errors in every shape', async () => {
    const httpError = await gotFailure(url);
    expect(httpError.response?.statusCode).toBe(401);
    // The error really does carry the secrets: otherwise this test would prove nothing.
    expect(JSON.stringify(httpError.options.headers)).toContain(BASIC);
    expect(httpError.options.password).toBe(PASSWORD);
    expect(httpError.message).toContain(EMAIL.split('@')[0]!);

    let refused: RequestError | undefined;
    await got(`http://127.0.0.1:1/x?token=${TOKEN}`, {
      headers: { authorization: `Basic ${BASIC}` },
      retry: { limit: 0 },
    }).catch((e: RequestError) => (refused = e));
    expect(refused?.code).toBe('ECONNREFUSED');

    const { logger, lines } = memoryLogger();
    logger.error({ err: httpError }, 'sage request failed');
    logger.error(httpError);
    logger.warn({ error: refused, attempt: 2 }, 'retrying');
    logger.info({ nested: { deeper: { err: httpError, list: [refused] } } }, 'nested');
    logger.error(`request for ${EMAIL} failed: ${httpError.message}`);
    logger.info({
      headers: { Authorization: `Bearer ${TOKEN}`, Cookie: 'sid=1' },
      config: { password: PASSWORD },
    });
    logger.info({ response: httpError.response, options: httpError.options }, 'raw objects');
    logger
      .child({ email: EMAIL, sage: { password: PASSWORD } })
      .info({ customer: { email: EMAIL } }, 'child');
    logger.info('format args %s %o', EMAIL, { password: PASSWORD, email: EMAIL });
    logger.child({ job: 'customers' }).child({ contact: EMAIL }).warn('grandchild');

    const text = lines.join('\n');
    expect(lines).toHaveLength(10);
    expectClean(text);
    expect(text).toContain('p***@m***.example');
    const first = JSON.parse(lines[0]!) as { err: Record<string, unknown> };
    expect(first.err).toMatchObject({ type: 'HTTPError', statusCode: 401, method: 'GET' });
    expect(String(first.err.url)).toContain('/AR/ARCustomers');
    const third = JSON.parse(lines[2]!) as { error: Record<string, unknown> };
    expect(third.error).toMatchObject({ type: 'RequestError', code: 'ECONNREFUSED' });
  });

  it('redacts a field by its name alone, at the top of a call as deep inside it', () => {
    const { logger, lines } = memoryLogger();
    logger.info({ sessionToken: 'opaque-value-1', nested: { privateKey: 'opaque-value-2' } }, 'names');
    logger.info('args %o', { clientSecret: 'opaque-value-3' });
    const text = lines.join('\n');
    expect(text).not.toMatch(/opaque-value/);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      sessionToken: '[redacted]',
      nested: { privateKey: '[redacted]' },
    });
  });

  it('scrubs registered secret values from free text', () => {
    const { logger, lines } = memoryLogger();
    addSecretsToScrub(['an-unusual-secret-value']);
    logger.info('the value is an-unusual-secret-value, see');
    expect(lines.join('\n')).not.toContain('an-unusual-secret-value');
    expect(lines.join('\n')).toContain('[redacted]');
  });
});
