import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import type { Command } from '../command.js';
import type { AppConfig } from '../../config/index.js';
import { requireTemporalCli } from '../../temporal/cli-path.js';
import { resolveCodecToken } from '../../security/codec-token.js';
import { childEnvironment } from '../../shared/child-env.js';

/** Does anything accept connections on 127.0.0.1:<port>? (Without one, the CLI waits 10 s per decode.) */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port, timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * The CLI's own variables (`temporal options`) for this connector's Temporal, namespace, TLS and
 * codec server. They go in the child's environment, which only its user (and root) can read, never
 * on its command line, which every local user can read in `ps`.
 */
async function temporalCliEnv(config: AppConfig, warn: (line: string) => void): Promise<NodeJS.ProcessEnv> {
  const { temporal, security } = config;
  const env: NodeJS.ProcessEnv = {
    ...childEnvironment(),
    TEMPORAL_ADDRESS: temporal.address ?? `127.0.0.1:${temporal.devServerPort}`,
    TEMPORAL_NAMESPACE: temporal.namespace,
  };
  if (temporal.apiKey) env.TEMPORAL_API_KEY = temporal.apiKey;
  if (temporal.tlsCaFile) env.TEMPORAL_TLS_SERVER_CA_CERT_PATH = temporal.tlsCaFile;
  if (temporal.tlsCertFile) env.TEMPORAL_TLS_CLIENT_CERT_PATH = temporal.tlsCertFile;
  if (temporal.tlsKeyFile) env.TEMPORAL_TLS_CLIENT_KEY_PATH = temporal.tlsKeyFile;
  // The user's own TEMPORAL_* choices (a profile, a codec endpoint elsewhere) win over ours.
  for (const [name, value] of Object.entries(process.env))
    if (name.startsWith('TEMPORAL_') && value && name !== 'TEMPORAL_CLI_PATH') env[name] = value;
  if (!process.env.TEMPORAL_CODEC_ENDPOINT) {
    const endpoint = `http://127.0.0.1:${security.codecServerPort}`;
    if (await listening(security.codecServerPort)) {
      env.TEMPORAL_CODEC_ENDPOINT = endpoint;
      env.TEMPORAL_CODEC_AUTH = `Bearer ${(await resolveCodecToken(config)).token}`;
    } else {
      warn(
        `ml-connector temporal: no codec server on ${endpoint} (CODEC_SERVER_PORT): payloads stay encrypted; ` +
          '`npm start` runs one, or `npx ml-connector codec-server`',
      );
    }
  }
  return env;
}

export const command: Command = {
  summary:
    "The bundled Temporal CLI, pointed at this connector's Temporal and decrypting through its codec server.",
  usage: `ml-connector temporal <temporal CLI arguments>

  npx ml-connector temporal workflow show -w <jobId>     a job's history, payloads decrypted
  npx ml-connector temporal workflow list --query 'RecordsFailed > 0'
  npx ml-connector temporal schedule list
  npx ml-connector temporal --help                       the CLI's own help

  The address, namespace, TLS settings and codec server come from the connector's settings
  (TEMPORAL_ADDRESS, else the embedded Temporal on TEMPORAL_DEV_SERVER_PORT; CODEC_SERVER_PORT with
  its token), passed in the CLI's environment; flags on the command line win.`,
  passThrough: true,
  async run(argv, ctx) {
    const config = await ctx.config();
    const cli = config.temporal.cliPath ?? requireTemporalCli();
    const env = await temporalCliEnv(config, (line) => process.stderr.write(`${line}\n`));
    const child = spawn(cli, argv, { env, stdio: 'inherit' });
    // Ctrl-C reaches the CLI from the terminal; a SIGTERM sent to this process alone is passed on.
    const ignore = () => undefined;
    const forward = () => child.kill('SIGTERM');
    process.on('SIGINT', ignore);
    process.on('SIGTERM', forward);
    try {
      return await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code, signal) =>
          resolve(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1)),
        );
      });
    } finally {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
    }
  },
};
