import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { startCodecServer, type CodecServer } from '../security/codec-server.js';
import { createPayloadCodec } from '../temporal/data-converter.js';

export interface EmbeddedUiCodec {
  server: CodecServer;
  /** `start-dev` flags that make the embedded Web UI decode payloads through this server. */
  devServerArgs: string[];
}

/**
 * Payloads are encrypted, so without a codec the embedded Web UI shows ciphertext. `start` runs the
 * codec server next to the dev server and points the UI at it; the token travels in the path
 * because the dev UI has no login to send a header with. A busy port only costs the decoding.
 */
export async function startEmbeddedUiCodec(
  config: AppConfig,
  logger: Logger,
): Promise<EmbeddedUiCodec | undefined> {
  const token = config.security.codecServerToken ?? randomBytes(24).toString('base64url');
  try {
    const server = await startCodecServer({
      codec: await createPayloadCodec(config, logger),
      token,
      corsOrigin: `http://127.0.0.1:${config.temporal.uiPort}`,
      port: config.security.codecServerPort,
      portSetting: 'CODEC_SERVER_PORT',
      host: '127.0.0.1',
      logger,
    });
    return { server, devServerArgs: ['--ui-codec-endpoint', `${server.url}/t/${token}`] };
  } catch (err) {
    logger.warn({ err }, 'codec server not started: the Temporal UI will show encrypted payloads');
    return undefined;
  }
}
