import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { UsageError } from '../command.js';
import { createPayloadCodec } from '../../temporal/data-converter.js';
import { startCodecServer } from '../../security/codec-server.js';
import { resolveCodecToken } from '../../security/codec-token.js';
import { trapStopSignals } from '../../shared/signals.js';

export const command: Command = {
  summary: 'Serve the payload codec over HTTP so the Temporal Web UI and CLI can show encrypted payloads.',
  usage: `ml-connector codec-server [--port N] [--host 127.0.0.1]

  The token is CODEC_SERVER_TOKEN, or else the file <ML_CONNECTOR_DATA_DIR>/codec-token (made on first
  use, mode 0600). Whoever can read it can decrypt payloads: never put it on a command line.
  CLI:     temporal workflow show -w <id> --codec-endpoint http://127.0.0.1:8081 \\
             --codec-auth "Bearer $(cat data/codec-token)"
  Web UI:  Settings / Codec Server in your own browser: http://127.0.0.1:8081/t/<token>
           (not a UI server's codec endpoint setting: every visitor of the UI can read that one)
  Settings: CODEC_SERVER_PORT, CODEC_SERVER_CORS_ORIGIN (the Web UI origin), CODEC_SERVER_TOKEN.`,
  async run(argv, ctx) {
    const { values } = parseCommandArgs(argv, { port: { type: 'string' }, host: { type: 'string' } });
    const config = await ctx.config();
    const logger = ctx.logger();
    const signals = trapStopSignals({ command: 'codec-server' });
    const port = values.port === undefined ? config.security.codecServerPort : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0-65535');
    const token = await resolveCodecToken(config);
    const server = await startCodecServer({
      codec: await createPayloadCodec(config, logger),
      token: token.token,
      corsOrigin: config.security.codecServerCorsOrigin,
      port,
      portSetting: values.port === undefined ? 'CODEC_SERVER_PORT' : '--port',
      host: values.host ?? '127.0.0.1',
      logger,
    });
    ctx.out(`Codec server on ${server.url} (browser origins allowed: ${server.origins.join(', ')}).`);
    const auth = token.file ? `$(cat ${token.file})` : '$CODEC_SERVER_TOKEN';
    ctx.out(`Token: ${token.source} (never printed)`);
    ctx.out(`  CLI: --codec-endpoint ${server.url} --codec-auth "Bearer ${auth}"`);
    ctx.out(`  Web UI, in your browser's Settings / Codec Server: ${server.url}/t/<token>`);
    ctx.out('Ctrl-C stops.');
    signals.running();
    await signals.requested;
    await server.close();
    return 0;
  },
};
