import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import got from 'got';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { startCodecServer, type CodecServer } from '../../src/security/codec-server.js';
import { EncryptionCodec } from '../../src/security/payload-codec.js';
import { keyringOf, payloadKeyFor } from '../../src/security/keyring.js';
import { masterKeyFrom } from '../../src/security/master-key.js';

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

  it('answers the preflight for the UI origin', async () => {
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
  });

  it('decodes with the token (header, or the path prefix the dev UI uses) and encodes back', async () => {
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

  it('answers bad requests plainly', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await post('/nope', auth)).statusCode).toBe(404);
    expect((await post('/decode', auth, { wrong: true })).statusCode).toBe(400);
    const other = new EncryptionCodec(keyringOf(payloadKeyFor(masterKeyFrom(randomBytes(32), 'env'))));
    const [foreign] = await other.encode([defaultPayloadConverter.toPayload('x')!]);
    const r = await post('/decode', auth, { payloads: [toJson(foreign!)] });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('unknown key');
  });
});
