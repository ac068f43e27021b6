import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { EncryptionCodec, PayloadDecryptError } from '../../src/security/payload-codec.js';
import { keyringOf, loadPayloadKeyring, payloadKeyFor } from '../../src/security/keyring.js';
import { masterKeyFrom, resolveMasterKey } from '../../src/security/master-key.js';
import { deriveKey } from '../../src/security/crypto.js';
import { rotateMasterKey } from '../../src/security/rotate-key.js';
import { tempDataConfig } from './fixtures.js';

const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');
const toPayload = (v: unknown) => defaultPayloadConverter.toPayload(v) as Payload;

describe('the payload encryption codec', () => {
  it('round-trips, hides the value and names its key', async () => {
    const master = masterKeyFrom(randomBytes(32), 'env');
    const codec = new EncryptionCodec(keyringOf(payloadKeyFor(master)));
    const input = [toPayload({ email: 'priya.n@maplehw.example' }), toPayload('plain'), toPayload(undefined)];
    const encoded = await codec.encode(input);
    for (const p of encoded) {
      expect(text(p.metadata?.encoding)).toBe('binary/encrypted');
      expect(text(p.metadata?.['encryption-key-id'])).toBe(master.id);
      expect(text(p.data)).not.toContain('maplehw');
      expect(text(p.data)).not.toContain('json/plain');
    }
    const decoded = await codec.decode(encoded);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([
      { email: 'priya.n@maplehw.example' },
      'plain',
      undefined,
    ]);
  });

  it('derives the payload key with HKDF: not the master key, not the credentials key', () => {
    const master = masterKeyFrom(randomBytes(32), 'env');
    const pk = payloadKeyFor(master).key;
    expect(pk.equals(master.key)).toBe(false);
    expect(pk.equals(deriveKey(master.key, 'credentials'))).toBe(false);
    expect(pk).toHaveLength(32);
  });

  it('passes payloads that are not encrypted through decode', async () => {
    const codec = new EncryptionCodec(keyringOf(payloadKeyFor(masterKeyFrom(randomBytes(32), 'env'))));
    const plain = toPayload({ a: 1 });
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('refuses an unknown key and a modified payload with a typed error', async () => {
    const a = new EncryptionCodec(keyringOf(payloadKeyFor(masterKeyFrom(randomBytes(32), 'env'))));
    const b = new EncryptionCodec(keyringOf(payloadKeyFor(masterKeyFrom(randomBytes(32), 'env'))));
    const [enc] = await a.encode([toPayload('secret')]);
    await expect(b.decode([enc!])).rejects.toThrow(PayloadDecryptError);
    const data = Buffer.from(enc!.data!);
    data[data.length - 1] = data[data.length - 1]! ^ 1;
    await expect(a.decode([{ ...enc!, data }])).rejects.toThrow(/was modified/);
  });

  it('still decodes payloads of the old key after a rotation, and encodes new ones with the new key', async () => {
    const { config } = await tempDataConfig();
    const first = (await resolveMasterKey(config, { createIfMissing: true }))!;
    const before = new EncryptionCodec(await loadPayloadKeyring(config));
    const oldHistory = await before.encode([toPayload({ customer: 'Maple Hardware' })]);

    const { next } = await rotateMasterKey(config);
    const after = new EncryptionCodec(await loadPayloadKeyring(config));
    expect(after.currentKeyId).toBe(next.id);
    expect(after.currentKeyId).not.toBe(first.id);
    expect(defaultPayloadConverter.fromPayload((await after.decode(oldHistory))[0]!)).toEqual({
      customer: 'Maple Hardware',
    });
    const [fresh] = await after.encode([toPayload('new')]);
    expect(text(fresh!.metadata?.['encryption-key-id'])).toBe(next.id);

    // A second rotation keeps both earlier keys.
    await rotateMasterKey(config);
    const third = new EncryptionCodec(await loadPayloadKeyring(config));
    expect(defaultPayloadConverter.fromPayload((await third.decode(oldHistory))[0]!)).toEqual({
      customer: 'Maple Hardware',
    });
    expect(defaultPayloadConverter.fromPayload((await third.decode([fresh!]))[0]!)).toBe('new');
  });
});
