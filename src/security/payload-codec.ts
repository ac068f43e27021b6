import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { open, seal, IV_BYTES, TAG_BYTES } from './crypto.js';
import type { PayloadKeyring } from './keyring.js';

const PayloadProto = proto.temporal.api.common.v1.Payload;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES256GCM';

const utf8 = new TextEncoder();
const fromUtf8 = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);
const aadFor = (keyId: string) => utf8.encode(`ml-connector/payload/v1/${keyId}`);

/** A payload this codec cannot open: unknown key id (missing from the keyring) or modified bytes. */
export class PayloadDecryptError extends Error {
  override readonly name = 'PayloadDecryptError';
}

/**
 * Encrypts the whole serialized Payload (metadata included, so even the encoding of a value does
 * not show) with the keyring's current key; decrypts with whichever key the payload names.
 * Payloads that are not encrypted pass through decode untouched (histories from before encryption).
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: PayloadKeyring) {}

  get currentKeyId(): string {
    return this.keyring.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keyring.current;
    return payloads.map((p) => {
      const plain = PayloadProto.encode(p).finish();
      const { iv, tag, ciphertext } = seal(key, plain, aadFor(id));
      return {
        metadata: {
          encoding: utf8.encode(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: utf8.encode(id),
          [CIPHER_METADATA]: utf8.encode(CIPHER),
        },
        data: Buffer.concat([iv, tag, ciphertext]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      if (fromUtf8(p.metadata?.encoding) !== ENCRYPTED_ENCODING) return p;
      const id = fromUtf8(p.metadata?.[KEY_ID_METADATA]);
      const key = id ? this.keyring.byId.get(id) : undefined;
      if (!id || !key)
        throw new PayloadDecryptError(
          `payload encrypted with unknown key ${id ?? '(none)'}: its master key is not in this keyring (ML_CONNECTOR_MASTER_KEY or <dataDir>/keyring.enc)`,
        );
      const data = Buffer.from(p.data ?? new Uint8Array());
      let plain: Buffer;
      try {
        plain = open(
          key,
          {
            iv: data.subarray(0, IV_BYTES),
            tag: data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
            ciphertext: data.subarray(IV_BYTES + TAG_BYTES),
          },
          aadFor(id),
        );
      } catch {
        throw new PayloadDecryptError(`payload encrypted with key ${id} was modified or is corrupt`);
      }
      return PayloadProto.decode(plain);
    });
  }
}
