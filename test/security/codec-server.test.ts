import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { Agent, request } from 'node:http';
import { promisify } from 'node:util';
import got from 'got';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { startCodecServer, type CodecServer } from '../../src/security/codec-server.js';
import { EncryptionCodec } from '../../src/security/payload-codec.js';
import { keyringOf, payloadKeyFor } from '../../src/security/keyring.js';
import { masterKeyFrom } from '../../src/security/master-key.js';

const run = promisify(execFile);
const UI = 'http://127.0.0.1:8233';
const TOKEN = randomBytes(24).toString('base64url');

const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
  ),
  data: Buffer.from(p.data!).toString('base64'),
});

describe('the codec server', () => {
  let server: CodecServer;
  let codec: EncryptionCodec;
  let encrypted: ReturnType<typeof toJson>;
  const post = (path: string, headers: Record<string, string>, json: unknown = { payloads: [encrypted] }) =>
    got.post(`${server.url}${path}`, { headers, json, throwHttpErrors: false, retry: { limit: 0 } });

  beforeAll(async () => {
    codec = new EncryptionCodec(keyringOf(payloadKeyFor(masterKeyFrom(randomBytes(32), 'env'))));
    server = await startCodecServer({ codec, token: TOKEN, corsOrigin: UI });
    const [p] = await codec.encode([
      defaultPayloadConverter.toPayload({ email: 'priya.n@maplehw.example' })!,
    ]);
    encrypted = toJson(p!);
  });
  afterAll(async () => server?.close());

  it('rejects a missing or wrong token with 401', async () => {
    expect((await post('/decode', { origin: UI })).statusCode).toBe(401);
    const wrong = await post('/decode', { origin: UI, authorization: `Bearer ${TOKEN}x` });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).not.toContain('maplehw');
    expect((await post(`/t/not-the-token/decode`, {})).statusCode).toBe(401);
  });

  it('rejects a foreign origin with 403, even with the right token', async () => {
    const r = await post('/decode', { origin: 'http://evil.example', authorization: `Bearer ${TOKEN}` });
    expect(r.statusCode).toBe(403);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await got(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
      throwHttpErrors: false,
    });
    expect(pre.statusCode).toBe(403);
  });

  it('answers the preflight for the UI origin, by either loopback name', async () => {
    const pre = await got(`${server.url}/default/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: UI,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace,authorization',
      },
      throwHttpErrors: false,
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(UI);
    expect(pre.headers['access-control-allow-methods']).toContain('POST');
    expect(String(pre.headers['access-control-allow-headers'])).toContain('x-namespace');
    // The dev server prints http://localhost:8233: the same UI, so the same answer.
    const twin = await post('/decode', { origin: 'http://localhost:8233', authorization: `Bearer ${TOKEN}` });
    expect(twin.statusCode).toBe(200);
    expect(twin.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    expect((await post('/decode', { origin: 'http://localhost:8234' })).statusCode).toBe(403);
  });

  it("decodes with the token (header, or the path prefix of a browser's own codec setting) and encodes back", async () => {
    for (const [path, headers] of [
      ['/decode', { origin: UI, authorization: `Bearer ${TOKEN}`, 'x-namespace': 'default' }],
      [`/t/${TOKEN}/default/decode`, { origin: UI }],
      ['/decode', { authorization: `Bearer ${TOKEN}` }], // the CLI sends no Origin
    ] as const) {
      const r = await post(path, headers);
      expect(r.statusCode).toBe(200);
      if (headers.origin) expect(r.headers['access-control-allow-origin']).toBe(UI);
      const body = JSON.parse(r.body) as { payloads: { metadata: Record<string, string>; data: string }[] };
      expect(Buffer.from(body.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
      expect(JSON.parse(Buffer.from(body.payloads[0]!.data, 'base64').toString())).toEqual({
        email: 'priya.n@maplehw.example',
      });
    }
    const plain = toJson(defaultPayloadConverter.toPayload('hello')!);
    const enc = await post('/encode', { authorization: `Bearer ${TOKEN}` }, { payloads: [plain] });
    expect(enc.statusCode).toBe(200);
    const back = await post('/decode', { authorization: `Bearer ${TOKEN}` }, JSON.parse(enc.body));
    expect(JSON.parse(back.body).payloads[0]).toEqual(plain);
  });

  it('takes {} and an empty list as no payloads (the CLI sends {} for a query without arguments)', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const body of [{}, { payloads: [] }, { payloads: null }])
      for (const action of ['/encode', '/default/decode']) {
        const r = await post(action, auth, body);
        expect(r.statusCode).toBe(200);
        expect(JSON.parse(r.body)).toEqual({ payloads: [] });
      }
  });

  it('answers bad requests plainly', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await post('/nope', auth)).statusCode).toBe(404);
    expect((await post('/decode', auth, { payloads: { not: 'a list' } })).statusCode).toBe(400);
    expect((await post('/decode', auth, [encrypted])).statusCode).toBe(400);
    // A bad %-escape in the token segment is the client's mistake, not a server error.
    const badEscape = await post('/t/%E0%A4%A/decode', {});
    expect(badEscape.statusCode).toBe(400);
    expect(badEscape.body).toContain('%-escape');
    const other = new EncryptionCodec(keyringOf(payloadKeyFor(masterKeyFrom(randomBytes(32), 'env'))));
    const [foreign] = await other.encode([defaultPayloadConverter.toPayload('x')!]);
    const r = await post('/decode', auth, { payloads: [toJson(foreign!)] });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('unknown key');
  });
});

describe('the codec server bounds its work', () => {
  const codec = new EncryptionCodec(keyringOf(payloadKeyFor(masterKeyFrom(randomBytes(32), 'env'))));
  const auth = { authorization: `Bearer ${TOKEN}` };
  const plain = (i: number) => toJson(defaultPayloadConverter.toPayload({ i })!);
  const call = (server: CodecServer, path: string, json: unknown) =>
    got.post(`${server.url}${path}`, { headers: auth, json, throwHttpErrors: false, retry: { limit: 0 } });

  it('refuses more payloads, or more bytes, than its limits', async () => {
    const server = await startCodecServer({
      codec,
      token: TOKEN,
      corsOrigin: UI,
      limits: { maxPayloads: 3, maxBodyBytes: 64 * 1024 },
    });
    try {
      expect((await call(server, '/encode', { payloads: [0, 1, 2].map(plain) })).statusCode).toBe(200);
      const tooMany = await call(server, '/encode', { payloads: [0, 1, 2, 3].map(plain) });
      expect(tooMany.statusCode).toBe(413);
      expect(tooMany.body).toContain('at most 3');
      // A list of bare values is refused before it is even parsed.
      const dense = await call(server, '/decode', { payloads: Array.from({ length: 5000 }, () => 0) });
      expect(dense.statusCode).toBe(413);
      const big = { payloads: [{ metadata: {}, data: Buffer.alloc(70 * 1024).toString('base64') }] };
      expect((await call(server, '/encode', big)).statusCode).toBe(413);
    } finally {
      await server.close();
    }
  });

  it('keeps the connection after refusing too many payloads: the next request on it completes', async () => {
    const server = await startCodecServer({
      codec,
      token: TOKEN,
      corsOrigin: UI,
      limits: { maxPayloads: 1 },
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (body: string, pauseMs = 0) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${server.url}/encode`, {
          method: 'POST',
          agent,
          headers: { ...auth, 'content-type': 'application/json', 'content-length': String(body.length) },
        });
        req.on('response', (res) => (res.resume(), res.on('end', () => resolve(res.statusCode!))));
        req.on('error', reject);
        // A slow upload, as a browser on a busy machine sends one, across the 2 s a 413 used to allow.
        req.write(body.slice(0, 10));
        setTimeout(() => req.end(body.slice(10)), pauseMs);
      });
    try {
      expect(await send(JSON.stringify({ payloads: [plain(1), plain(2)] }))).toBe(413);
      expect(await send(JSON.stringify({ payloads: [plain(3)] }), 2500)).toBe(200);
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('answers 503 once a request is past its time limit', async () => {
    const server = await startCodecServer({ codec, token: TOKEN, corsOrigin: UI, limits: { timeoutMs: -1 } });
    try {
      const r = await call(server, '/encode', { payloads: [plain(1)] });
      expect(r.statusCode).toBe(503);
      expect(r.headers['retry-after']).toBe('1');
    } finally {
      await server.close();
    }
  });

  it('converts a request of many slices to the same payloads, in order', async () => {
    const server = await startCodecServer({ codec, token: TOKEN, corsOrigin: UI });
    try {
      const payloads = Array.from({ length: 1000 }, (_, i) => plain(i));
      const encoded = await call(server, '/encode', { payloads });
      expect(encoded.statusCode).toBe(200);
      const decoded = await call(server, '/decode', JSON.parse(encoded.body));
      expect(JSON.parse(decoded.body)).toEqual({ payloads });
    } finally {
      await server.close();
    }
  });
});

describe('the embedded UI codec: browsers of the user running the server', () => {
  let server: CodecServer;
  let encrypted: ReturnType<typeof toJson>;
  const decode = (headers: Record<string, string>) =>
    got.post(`${server.url}/decode?preserveStorageRefs=true`, {
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
      body: JSON.stringify({ payloads: [encrypted] }),
      throwHttpErrors: false,
      retry: { limit: 0 },
    });

  beforeAll(async () => {
    const codec = new EncryptionCodec(keyringOf(payloadKeyFor(masterKeyFrom(randomBytes(32), 'env'))));
    server = await startCodecServer({ codec, token: TOKEN, corsOrigin: UI, trustOwnerBrowser: true });
    encrypted = toJson((await codec.encode([defaultPayloadConverter.toPayload('owner only')!]))[0]!);
  });
  afterAll(async () => server?.close());

  it.each([UI, 'http://localhost:8233'])(
    'decodes without a token for this user on the UI origin %s (as the Web UI sends it)',
    async (origin) => {
      if (process.platform !== 'linux')
        return void console.log('skipped: the peer check reads /proc (Linux)');
      const r = await decode({ origin });
      expect(r.statusCode).toBe(200);
      const [p] = JSON.parse(r.body).payloads as { data: string }[];
      expect(JSON.parse(Buffer.from(p!.data, 'base64').toString())).toBe('owner only');
    },
  );

  it('still wants the token without a browser origin, or with a wrong token', async () => {
    expect((await decode({})).statusCode).toBe(401);
    expect((await decode({ origin: UI, authorization: `Bearer ${TOKEN}x` })).statusCode).toBe(401);
  });

  it("refuses another local user's browser on the same origin", async () => {
    if (process.getuid?.() !== 0)
      return void console.log('skipped: running as another user needs root (the CI runs as root)');
    const script = `
      const req = require('node:http').request(process.argv[1], {
        method: 'POST',
        headers: { origin: '${UI}', 'content-type': 'application/json' },
      }, (res) => { let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => console.log(res.statusCode, b)); });
      req.end(process.argv[2]);`;
    const { stdout } = await run(
      process.execPath,
      ['-e', script, `${server.url}/decode`, JSON.stringify({ payloads: [encrypted] })],
      { uid: 65534, gid: 65534 },
    );
    expect(stdout.startsWith('401 ')).toBe(true);
    expect(stdout).not.toContain(Buffer.from(JSON.stringify('owner only')).toString('base64'));
  });
});
