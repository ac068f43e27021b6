import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/index.js';
import type { TemporalRuntime } from '../temporal/runtime-env.js';
import type { AppliedSchedule } from './schedules.js';
import type { EmbeddedUiCodec } from './ui-codec.js';
import type { Sandbox } from './sandbox.js';

/**
 * What `start` prints, once, for a person at its terminal: where everything is and the commands to
 * look at it. Logs go to the logger; these lines are the product's own words.
 */

const label = (name: string) => name.padEnd(10);

/** Settings written for Docker Compose are easily taken for the connector's own. */
export function dotEnvNote(): string[] {
  return existsSync('.env')
    ? [
        '  .env is not read here (Docker Compose reads it): export its variables, or put them in a JSON file named by ML_CONNECTOR_CONFIG',
      ]
    : [];
}

export function sandboxLines(sandbox: Sandbox): string[] {
  const what = sandbox.sides.map((s) => (s === 'sage300' ? 'Sage 300' : 'Mailchimp')).join(' and ');
  return [
    `${label('Sandbox')}${what} not configured: start runs ${sandbox.sides.length > 1 ? 'simulators' : 'a simulator'} with made-up data`,
    ...dotEnvNote(),
    ...sandbox.notes.map((n) => `  ${n}`),
    `  their settings and credentials, for the commands of a second terminal: ${sandbox.settingsFile}`,
  ];
}

/** `http://127.0.0.1:8233` as the dev server itself names it: `http://localhost:8233`. */
export const localhostUrl = (url: string) => url.replace('//127.0.0.1:', '//localhost:');

export function temporalLines(opts: {
  config: AppConfig;
  runtime: TemporalRuntime;
  uiCodec?: EmbeddedUiCodec;
  devServerDb?: string;
}): string[] {
  const { runtime, uiCodec } = opts;
  const { temporal } = runtime.config;
  const dev = runtime.devServer;
  if (!dev) return [`${label('Temporal')}${temporal.address}, namespace ${temporal.namespace}`];
  const lines = [
    `${label('Temporal')}${dev.address}, embedded; its state: ${join(opts.config.app.dataDir, 'temporal', opts.devServerDb ?? 'dev.sqlite')}`,
    `${label('Web UI')}${localhostUrl(dev.uiUrl)}  (or ${dev.uiUrl})`,
  ];
  if (!uiCodec) {
    lines.push('  no codec server (see the warning above): the UI and the CLI show payloads encrypted');
    return lines;
  }
  const { url } = uiCodec.server;
  const auth = uiCodec.token.file ? `$(cat ${uiCodec.token.file})` : '$CODEC_SERVER_TOKEN';
  const forWhom =
    process.platform === 'linux'
      ? `for browsers run by ${userInfo().username}`
      : `for a browser given ${url}/t/<token> in the UI's Settings, Codec Server`;
  lines.push(
    `  it shows payloads decrypted ${forWhom}, through the codec server on ${url}`,
    `  token: ${uiCodec.token.source} (never printed)`,
    `${label('CLI')}a job, decrypted: npx ml-connector temporal workflow show -w <jobId>`,
    `  with any temporal CLI: temporal workflow show -w <jobId> --address ${dev.address} ` +
      `--codec-endpoint ${url} --codec-auth "Bearer ${auth}"`,
  );
  return lines;
}

const at = (d: Date | undefined) => (d ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '-');

/** One line a schedule, with its next run (the jitter included, as Temporal computed it). */
export async function scheduleLines(client: Client, applied: AppliedSchedule[]): Promise<string[]> {
  const lines: string[] = [];
  for (const { scheduleId, action } of applied) {
    const next = await client.schedule
      .getHandle(scheduleId)
      .describe()
      .then((d) => d.info.nextActionTimes[0])
      .catch(() => undefined);
    lines.push(`Schedule ${scheduleId}: ${action}, next run ${at(next)}`);
  }
  return lines;
}
