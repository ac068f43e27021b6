import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, type DataConverter } from '@temporalio/common';
import { createConnectorWorker } from '../../src/worker/worker.js';
import { createDataConverter } from '../../src/temporal/data-converter.js';
import type { ConnectorActivities } from '../../src/activities/index.js';
import { connectTestTemporal, type TemporalTestContext } from '../helpers/temporal.js';
import { dumpHistories, scanForSecrets } from '../helpers/leak-scan.js';
import { testConfig } from '../helpers/config.js';
import type { AppConfig } from '../../src/config/index.js';
import { createPayloadCodec } from '../../src/temporal/data-converter.js';
import { startCodecServer } from '../../src/security/codec-server.js';
import { requireTemporalCli } from '../../src/temporal/cli-path.js';
import { testServerAddress } from '../helpers/temporal.js';

const run = promisify(execFile);

const workflowsPath = join(dirname(fileURLToPath(import.meta.url)), 'workflows', 'index.ts');

describe('workflows through a real worker with the encrypting data converter', () => {
  let t: TemporalTestContext;
  let raw: Client;
  let dataConverter: DataConverter;
  const secret = `s3cret-${randomBytes(6).toString('hex')}`;
  const email = `priya.${randomBytes(3).toString('hex')}@maplehw.example`;
  const failure = `boom-${randomBytes(6).toString('hex')} for Maple Hardware`;

  let config: AppConfig;
  let okId = '';

  beforeAll(async () => {
    config = testConfig({ ML_CONNECTOR_MASTER_KEY: randomBytes(32).toString('base64') });
    dataConverter = await createDataConverter(config);
    t = await connectTestTemporal({ dataConverter });
    // Same server, no codec: sees what the server stores.
    raw = new Client({ connection: t.client.connection, namespace: 'default' });
  });
  afterAll(async () => t?.close());

  it('keeps inputs, results and failure messages out of the history in plain text', async () => {
    const activities = {
      async echoProfile(p: { name: string; email: string; note: string }) {
        return { greeting: `hello ${p.name} (${p.note})`, email: p.email };
      },
      async failWith(message: string): Promise<void> {
        throw new Error(message);
      },
    };
    const worker = await createConnectorWorker({
      connection: t.nativeConnection,
      namespace: 'default',
      taskQueue: t.taskQueue,
      activities: activities as unknown as ConnectorActivities,
      dataConverter,
      workflowsPath,
      shutdownGraceTime: '1s',
    });
    okId = `enc-ok-${t.taskQueue}`;
    const failId = `enc-fail-${t.taskQueue}`;
    const [result, failed] = await worker.runUntil(async () => {
      const ok = await t.client.workflow.execute('profileRoundTrip', {
        taskQueue: t.taskQueue,
        workflowId: okId,
        args: [{ name: 'Priya Nair', email, note: secret }],
        memo: { note: secret },
      });
      const err = await t.client.workflow
        .execute('failingActivity', { taskQueue: t.taskQueue, workflowId: failId, args: [failure] })
        .then(() => undefined)
        .catch((e: unknown) => e);
      return [ok, err] as const;
    });

    // Decoded through the codec, everything reads back.
    expect(result).toEqual({ greeting: `hello Priya Nair (${secret})`, email });
    expect(failed).toBeInstanceOf(WorkflowFailedError);
    expect((failed as WorkflowFailedError).cause?.cause).toBeInstanceOf(ApplicationFailure);
    expect(((failed as WorkflowFailedError).cause?.cause as ApplicationFailure).message).toBe(failure);

    // The server's copy has none of it.
    const okHistory = JSON.stringify(await raw.workflow.getHandle(okId).fetchHistory());
    const failHistory = JSON.stringify(await raw.workflow.getHandle(failId).fetchHistory());
    expect(okHistory).toContain(Buffer.from('binary/encrypted').toString('base64'));
    expect(failHistory).toContain('Encoded failure');
    const dumped = await dumpHistories(raw, `TaskQueue = '${t.taskQueue}'`);
    expect(dumped).toContain(okId);
    for (const text of [okHistory, failHistory, dumped])
      expect(scanForSecrets(text, [secret, email, 'Priya Nair', failure, 'boom-'])).toEqual([]);
    // Still there, just encrypted: the raw history decodes with the codec.
    expect(await t.client.workflow.getHandle(okId).result()).toEqual(result);
  });

  it('lets the temporal CLI read the history through the codec server with the bearer token', async () => {
    expect(okId).not.toBe('');
    const token = randomBytes(24).toString('base64url');
    const server = await startCodecServer({
      codec: await createPayloadCodec(config),
      token,
      corsOrigin: 'http://127.0.0.1:8233',
    });
    try {
      const show = (auth: string[]) =>
        run(
          requireTemporalCli(),
          [
            'workflow',
            'show',
            '-w',
            okId,
            '--address',
            testServerAddress(),
            '--output',
            'json',
            '--codec-endpoint',
            server.url,
            ...auth,
          ],
          { maxBuffer: 16 * 1024 * 1024 },
        );
      const { stdout } = await show(['--codec-auth', `Bearer ${token}`]);
      expect(scanForSecrets(stdout, [secret, email])).toEqual([secret, email]);
      // Without the token the codec server refuses, and the CLI cannot show plain values.
      const refused = await show([]).then(
        (r) => r.stdout,
        (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
      );
      expect(scanForSecrets(refused, [secret, email])).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
