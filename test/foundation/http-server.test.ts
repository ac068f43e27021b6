import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent } from 'node:http';
import {
  HttpProblem,
  PortInUseError,
  readJson,
  readText,
  sendJson,
  startHttpServer,
  type RunningHttpServer,
} from '../../src/shared/http-server.js';
import { httpRequest } from '../webhooks/helpers.js';

const call = (url: string, options: Parameters<typeof httpRequest>[1] = {}) =>
  httpRequest(url, { method: 'POST', ...options });

describe('the shared HTTP server', () => {
  let server: RunningHttpServer;
  beforeAll(async () => {
    server = await startHttpServer({
      async handler(req, res) {
        if (req.url === '/json') return sendJson(res, 200, { got: await readJson(req, 64) });
        if (req.url === '/form')
          return sendJson(res, 200, {
            got: await readText(req, { limit: 64, mediaType: 'application/x-www-form-urlencoded' }),
          });
        if (req.url === '/refuse') throw new HttpProblem(409, 'already there', { 'x-why': 'test' });
        throw new Error('database password is hunter2');
      },
    });
  });
  afterAll(() => server?.close());

  it('reads JSON and form bodies within the cap, and answers 413 past it, chunked or declared', async () => {
    expect(await call(`${server.origin}/json`, { body: '{"a":1}' })).toMatchObject({
      status: 200,
      body: '{"got":{"a":1}}',
    });
    expect((await call(`${server.origin}/json`, { body: '{"a":' })).status).toBe(400);
    const form = { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' };
    expect(await call(`${server.origin}/form`, { headers: form, body: 'a=1' })).toMatchObject({
      status: 200,
      body: '{"got":"a=1"}',
    });
    expect(
      (await call(`${server.origin}/form`, { headers: { 'content-type': 'text/plain' }, body: 'a=1' }))
        .status,
    ).toBe(415);
    const big = 'a='.padEnd(100, 'x');
    expect((await call(`${server.origin}/form`, { headers: form, body: big })).status).toBe(413);
    const chunked = await call(`${server.origin}/json`, {
      headers: { 'transfer-encoding': 'chunked' },
      body: `"${'x'.repeat(100)}"`,
    });
    expect(chunked).toMatchObject({ status: 413, body: '{"error":"body larger than 64 bytes"}' });
  });

  it('answers a thrown HttpProblem with its status and headers, anything else with a bare 500', async () => {
    const refused = await call(`${server.origin}/refuse`);
    expect(refused).toMatchObject({ status: 409, body: '{"error":"already there"}' });
    expect(refused.headers['x-why']).toBe('test');
    const failed = await call(`${server.origin}/boom`);
    expect(failed).toMatchObject({ status: 500, body: '{"error":"internal error"}' });
  });

  it('names the setting a busy port came from', async () => {
    const err = await startHttpServer({
      handler: () => undefined,
      port: server.port,
      portSetting: 'SOME_PORT',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortInUseError);
    expect((err as Error).message).toMatch(
      new RegExp(`port ${server.port} on 127\\.0\\.0\\.1 \\(SOME_PORT\\) is already in use`),
    );
  });

  it('close ends idle keep-alive connections and requests still waiting for an answer', async () => {
    let arrived!: () => void;
    const hungArrived = new Promise<void>((resolve) => (arrived = resolve));
    const other = await startHttpServer({
      handler: (req, res) => (req.url === '/hang' ? arrived() : sendJson(res, 200, { ok: true })),
      keepAliveTimeoutMs: 600_000,
    });
    const agent = new Agent({ keepAlive: true });
    expect((await call(other.origin, { method: 'GET', agent })).status).toBe(200);
    const [idle] = Object.values(agent.freeSockets).flat();
    expect(idle).toBeDefined();
    const idleClosed = new Promise((resolve) => idle!.once('close', resolve));
    const hung = call(`${other.origin}/hang`, { method: 'GET' }).catch(
      (err: NodeJS.ErrnoException) => err.code,
    );
    await hungArrived;
    await other.close();
    await idleClosed;
    expect(await hung).toBe('ECONNRESET');
    agent.destroy();
  });
});
