import { randomBytes } from 'node:crypto';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { UsageError } from '../command.js';
import { createPayloadCodec } from '../../temporal/data-converter.js';
import { startCodecServer } from '../../security/codec-server.js';
import { trapStopSignals } from '../../shared/signals.js';

export const command: Command = {
  summary: 'Serve the payload codec over HTTP so the Temporal Web UI and CLI can show encrypted payloads.',
  usage: `ml-connector codec-server [--port N] [--host 127.0.0.1]

  Web UI (dev server):  temporal server start-dev --ui-codec-endpoint http://127.0.0.1:8081/t/<token>
  CLI:                  temporal workflow show -w <id> --codec-endpoint http://127.0.0.1:8081 --codec-auth "Bearer <token>"
  Settings: CODEC_SERVER_PORT, CODEC_SERVER_CORS_ORIGIN (the Web UI origin), CODEC_SERVER_TOKEN.`,
  async run(argv, ctx) {
    const { values } = parseCommandArgs(argv, { port: { type: 'string' }, host: { type: 'string' } });
    const config = await ctx.config();
    const logger = ctx.logger();
    const signals = trapStopSignals({ command: 'codec-server' });
    const port = values.port === undefined ? config.security.codecServerPort : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0-65535');
    let token = config.security.codecServerToken;
    const generated = !token;
    token ??= randomBytes(24).toString('base64url');
    const server = await startCodecServer({
      codec: await createPayloadCodec(config, logger),
      token,
      corsOrigin: config.security.codecServerCorsOrigin,
      port,
      portSetting: values.port === undefined ? 'CODEC_SERVER_PORT' : '--port',
      host: values.host ?? '127.0.0.1',
      logger,
    });
    ctx.out(
      `Codec server on ${server.url} (browser origin allowed: ${config.security.codecServerCorsOrigin}).`,
    );
    if (generated)
      ctx.out(
        `No CODEC_SERVER_TOKEN set; this run's token (printed once, set CODEC_SERVER_TOKEN to fix it): ${token}`,
      );
    ctx.out(`  Web UI codec endpoint: ${server.url}/t/<token>`);
    ctx.out(`  CLI: --codec-endpoint ${server.url} --codec-auth "Bearer <token>"`);
    ctx.out('Ctrl-C stops.');
    signals.running();
    await signals.requested;
    await server.close();
    return 0;
  },
};
