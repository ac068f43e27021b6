import type { DataConverter } from '@temporalio/common';
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { siblingModule } from '../shared/paths.js';
import { EncryptionCodec } from '../security/payload-codec.js';
import { loadPayloadKeyring } from '../security/keyring.js';
import { MasterKeyError, describeMasterKey, resolveMasterKey } from '../security/master-key.js';

/** Path of the module exporting `failureConverter` (.js when built, .ts under jest). */
export function failureConverterPath(): string {
  return siblingModule(import.meta.url, '../security/failure-converter');
}

/**
 * The encryption codec for a config's master key and keyring (the codec server uses it too).
 * A key is created on first use only when this machine runs its own embedded Temporal (no
 * TEMPORAL_ADDRESS): against a shared cluster, a worker that made up its own key would write
 * payloads no other worker or client can read.
 */
export async function createPayloadCodec(config: AppConfig, logger?: Logger): Promise<EncryptionCodec> {
  const master = await resolveMasterKey(config, { createIfMissing: !config.temporal.address });
  if (!master) {
    throw new MasterKeyError(
      'ML_CONNECTOR_MASTER_KEY: not set (nor ML_CONNECTOR_MASTER_KEY_FILE, nor a master.key in ML_CONNECTOR_DATA_DIR); ' +
        'with TEMPORAL_ADDRESS set, every worker and client of that Temporal must share one key: set the same key everywhere',
    );
  }
  if (master.source === 'created')
    logger?.warn(
      { file: master.file },
      `created a random master key in ${describeMasterKey(master)}: back it up; without it, credentials and workflow histories cannot be read`,
    );
  return new EncryptionCodec(await loadPayloadKeyring(config, master));
}

/**
 * The data converter shared by every client and worker of the connector: every payload (inputs,
 * results, heartbeats, memos, schedule args) and every failure message is encrypted before it
 * reaches the Temporal server. The same shape is accepted by `new Client` and `Worker.create`.
 */
export async function createDataConverter(config: AppConfig, logger?: Logger): Promise<DataConverter> {
  return {
    payloadCodecs: [await createPayloadCodec(config, logger)],
    failureConverterPath: failureConverterPath(),
  };
}
