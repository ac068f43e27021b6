import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/index.js';
import { createPayloadCodec } from '../../src/temporal/data-converter.js';
import { testConfig } from '../helpers/config.js';

describe('master key for payload encryption', () => {
  it('is created in the data folder when this machine runs its own embedded Temporal', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mlc-key-'));
    const codec = await createPayloadCodec(testConfig({ ML_CONNECTOR_DATA_DIR: dataDir }));
    expect(existsSync(join(dataDir, 'master.key'))).toBe(true);
    const [encoded] = await codec.encode([{ metadata: {}, data: Buffer.from('x') }]);
    expect(Buffer.from(encoded!.metadata!.encoding!).toString()).toBe('binary/encrypted');
  });

  it('is never made up by a worker of a shared Temporal: the error names the variable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mlc-key-'));
    const config = testConfig({ ML_CONNECTOR_DATA_DIR: dataDir, TEMPORAL_ADDRESS: 'temporal.internal:7233' });
    const attempt = createPayloadCodec(config);
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(createPayloadCodec(config)).rejects.toThrow(
      /^Invalid configuration: ML_CONNECTOR_MASTER_KEY: not set/,
    );
    expect(existsSync(join(dataDir, 'master.key'))).toBe(false);
  });

  it('uses the shared key when it is set', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mlc-key-'));
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = testConfig({
      ML_CONNECTOR_DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      ML_CONNECTOR_MASTER_KEY: key,
    });
    const a = await createPayloadCodec(config);
    const b = await createPayloadCodec(config);
    const decoded = await b.decode(await a.encode([{ metadata: {}, data: Buffer.from('shared') }]));
    expect(Buffer.from(decoded[0]!.data!).toString()).toBe('shared');
  });
});
