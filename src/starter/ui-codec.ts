import type { AppConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { startCodecServer, type CodecServer } from '../security/codec-server.js';
import { resolveCodecToken, type CodecToken } from '../security/codec-token.js';
import { createPayloadCodec } from '../temporal/data-converter.js';

export interface EmbeddedUiCodec {
  server: CodecServer;
  /** For the CLI (`--codec-auth`); never a flag of the dev server nor a line of its settings. */
  token: CodecToken;
  /** `start-dev` flags that make the embedded Web UI decode payloads through this server. */
  devServerArgs: string[];
}

/**
 * Payloads are encrypted, so without a codec the embedded Web UI shows ciphertext. `start` runs the
 * codec server next to the dev server and points the UI at it without any token: the UI runs in the
 * browser of whoever opens it, and the codec server serves a browser only when its connection
 * belongs to the user running `start` (see codec-server.ts). A token in the endpoint would be in
 * `ps` and in the UI's unauthenticated /api/v1/settings for every local user to read.
 * A busy port only costs the decoding.
 */
export async function startEmbeddedUiCodec(
  config: AppConfig,
  logger: Logger,
): Promise<EmbeddedUiCodec | undefined> {
  try {
    const token = await resolveCodecToken(config);
    const server = await startCodecServer({
      codec: await createPayloadCodec(config, logger),
      token: token.token,
      corsOrigin: `http://127.0.0.1:${config.temporal.uiPort}`,
      trustOwnerBrowser: true,
      port: config.security.codecServerPort,
      portSetting: 'CODEC_SERVER_PORT',
      host: '127.0.0.1',
      logger,
    });
    return { server, token, devServerArgs: ['--ui-codec-endpoint', server.url] };
  } catch (err) {
    logger.warn({ err }, 'codec server not started: the Temporal UI will show encrypted payloads');
    return undefined;
  }
}
