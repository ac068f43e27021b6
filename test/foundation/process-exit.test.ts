import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../helpers/ports.js';
import { runCli } from '../helpers/cli-process.js';
import { testServerAddress } from '../helpers/temporal.js';
import { requireTemporalCli } from '../../src/temporal/cli-path.js';

// Liveness bounds, generous on a loaded machine: each of these processes used to hang for good.
const EXIT_BOUND_MS = 15_000;
const masterKey = () => randomBytes(32).toString('base64');
// Both sides configured (never contacted): against a shared Temporal, `start` refuses the sandbox.
const CONFIGURED = {
  SAGE300_BASE_URL: 'http://127.0.0.1:9/Sage300WebApi',
  SAGE300_COMPANY: 'PEXIT',
  SAGE300_USERNAME: 'PEXIT',
  MAILCHIMP_API_KEY: `${'0'.repeat(32)}-us1`,
  MAILCHIMP_LIST_ID: 'pexit1',
};

/** Is `pid` still a `temporal server start-dev` (not gone, not a zombie, not a recycled pid)? */
function isDevServer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start-dev');
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not so within ${ms} ms: ${condition.toString()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function devServerPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'temporal', 'dev-server.pid'), 'utf8').trim());
}

async function embeddedStartEnv(dataDir: string): Promise<Record<string, string>> {
  return {
    ML_CONNECTOR_DATA_DIR: dataDir,
    TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    CODEC_SERVER_PORT: String(await freePort()),
  };
}

describe('a process that cannot reach Temporal exits with one line naming the setting and address', () => {
  it.each([
    ['worker', ['worker'], 'worker'],
    ['start', ['start', '--no-first-sync'], 'start'],
    ['webhooks serve', ['webhooks', 'serve', '--port', '0'], 'webhooks'],
  ])('%s', async (_name, args, shown) => {
    const address = `127.0.0.1:${await freePort()}`;
    const cli = runCli(args, {
      ...CONFIGURED,
      TEMPORAL_ADDRESS: address,
      ML_CONNECTOR_MASTER_KEY: masterKey(),
      WEBHOOK_SECRET: 'process-exit-secret-0123456789',
    });
    expect(await cli.exitWithin(EXIT_BOUND_MS)).toBe(1);
    expect(cli.stderr()).toBe(
      `ml-connector ${shown}: cannot reach Temporal at ${address} (TEMPORAL_ADDRESS): connection refused\n`,
    );
  });

  it('codec-server does not need Temporal: it serves, and SIGTERM stops it', async () => {
    const cli = runCli(['codec-server', '--port', '0'], {
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      ML_CONNECTOR_MASTER_KEY: masterKey(),
    });
    await cli.waitFor(/Codec server on http:\/\/127\.0\.0\.1:\d+/, EXIT_BOUND_MS);
    cli.child.kill('SIGTERM');
    expect(await cli.exitWithin(EXIT_BOUND_MS)).toBe(0);
    expect(cli.stderr()).toBe('');
  });
});

describe('a refused configuration ends the process with one line naming the setting', () => {
  it.each([
    ['worker', ['worker']],
    ['start', ['start', '--no-first-sync']],
    ['webhooks serve', ['webhooks', 'serve', '--port', '0']],
    ['codec-server', ['codec-server', '--port', '0']],
  ])('%s without the master key of a shared Temporal', async (_name, args) => {
    const cli = runCli(args, {
      ...CONFIGURED,
      TEMPORAL_ADDRESS: testServerAddress(),
      WEBHOOK_SECRET: 'process-exit-secret-0123456789',
    });
    expect(await cli.exitWithin(EXIT_BOUND_MS)).toBe(78);
    expect(cli.stderr()).toMatch(
      /^ml-connector: Invalid configuration: ML_CONNECTOR_MASTER_KEY: not set[^\n]*\n$/,
    );
  });
});

describe('signals', () => {
  it('one SIGTERM stops a polling worker within ML_CONNECTOR_SHUTDOWN_GRACE', async () => {
    const cli = runCli(['worker'], {
      TEMPORAL_ADDRESS: testServerAddress(),
      ML_CONNECTOR_MASTER_KEY: masterKey(),
      ML_CONNECTOR_TASK_QUEUE: `process-exit-${randomUUID()}`,
      ML_CONNECTOR_SHUTDOWN_GRACE: '2s',
      LOG_LEVEL: 'info',
    });
    await cli.waitFor(/"msg":"worker polling"/, 60_000);
    cli.child.kill('SIGTERM');
    expect(await cli.exitWithin(EXIT_BOUND_MS)).toBe(0);
    expect(cli.stdout()).toMatch(/"signal":"SIGTERM","msg":"stopping worker"/);
    expect(cli.stderr()).toBe('');
  });
});

describe('start owns its Temporal dev server', () => {
  it('after kill -9 of start, the next start comes up and the old dev server is gone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mlc-restart-'));
    const env = await embeddedStartEnv(dataDir);
    const first = runCli(['start', '--no-first-sync'], env);
    await first.waitFor(/Worker polling/, 60_000);
    const oldServer = devServerPid(dataDir);
    expect(isDevServer(oldServer)).toBe(true);
    first.child.kill('SIGKILL');
    await first.exitWithin(EXIT_BOUND_MS);

    const second = runCli(['start', '--no-first-sync'], env);
    await second.waitFor(/Worker polling/, 60_000);
    expect(isDevServer(oldServer)).toBe(false);
    const newServer = devServerPid(dataDir);
    expect(newServer).not.toBe(oldServer);
    second.child.kill('SIGINT');
    expect(await second.exitWithin(EXIT_BOUND_MS)).toBe(0);
    expect(isDevServer(newServer)).toBe(false);
  }, 120_000);

  it('a dev server left running is found by its pid file and stopped before start brings up its own', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mlc-leftover-'));
    const env = await embeddedStartEnv(dataDir);
    mkdirSync(join(dataDir, 'temporal'));
    // What a `start` killed where the kernel does not stop children with it would leave behind.
    const leftover = spawn(
      requireTemporalCli(),
      [
        'server',
        'start-dev',
        '--headless',
        '--ip',
        '127.0.0.1',
        '--port',
        env.TEMPORAL_DEV_SERVER_PORT!,
        '--db-filename',
        join(dataDir, 'temporal', 'dev.sqlite'),
      ],
      { stdio: 'ignore' },
    );
    writeFileSync(join(dataDir, 'temporal', 'dev-server.pid'), `${leftover.pid}\n`);
    const leftoverExit = new Promise((resolve) => leftover.once('exit', resolve));
    // A leftover is a server that runs: wait until it listens (right after the spawn, the child may
    // not even have become `temporal` yet, and start would rightly not recognise it).
    const port = Number(env.TEMPORAL_DEV_SERVER_PORT);
    for (let listening = false; !listening;) {
      listening = await new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => resolve(true));
        socket.once('error', () => resolve(false));
        socket.once('connect', () => socket.destroy());
      });
      if (!listening) await new Promise((r) => setTimeout(r, 100));
    }

    const cli = runCli(['start', '--no-first-sync'], { ...env, LOG_LEVEL: 'info' });
    try {
      await cli.waitFor(/Worker polling/, 60_000);
    } finally {
      // Whatever happened, the planted server must not outlive the test.
      if (leftover.exitCode === null && leftover.signalCode === null) leftover.kill('SIGKILL');
    }
    await leftoverExit;
    const ownServer = devServerPid(dataDir);
    expect(ownServer).not.toBe(leftover.pid);
    // Ctrl-C twice: the second one does not wait for the graceful stop, and the dev server goes too.
    // (Two signals sent at once would reach the process as one.)
    cli.child.kill('SIGINT');
    await cli.waitFor(/"msg":"stopping"/, EXIT_BOUND_MS);
    cli.child.kill('SIGINT');
    expect(await cli.exitWithin(EXIT_BOUND_MS)).toBe(130);
    expect(cli.stderr()).toBe('ml-connector start: second SIGINT: stopped without waiting\n');
    await until(() => !isDevServer(ownServer), EXIT_BOUND_MS);
  }, 120_000);

  it.each(['TEMPORAL_DEV_SERVER_PORT', 'TEMPORAL_UI_PORT'])(
    'a port held by another program (%s) ends start at once, naming the setting',
    async (setting) => {
      const env = await embeddedStartEnv(mkdtempSync(join(tmpdir(), 'mlc-busy-')));
      const holder = createServer();
      await new Promise<void>((resolve) => holder.listen(Number(env[setting]), '127.0.0.1', resolve));
      try {
        const cli = runCli(['start', '--no-first-sync'], env);
        expect(await cli.exitWithin(EXIT_BOUND_MS)).toBe(1);
        expect(cli.stderr()).toBe(
          `ml-connector start: port ${env[setting]} on 127.0.0.1 (${setting}) is already in use: ` +
            `stop the process holding it, or give ${setting} another port\n`,
        );
      } finally {
        await new Promise((resolve) => holder.close(resolve));
      }
    },
  );
});

describe('start with Sage 300 and Mailchimp unreachable', () => {
  it('says so, points to check, keeps the worker and schedules, and stops at once on Ctrl-C', async () => {
    const company = `P${randomBytes(3).toString('hex').toUpperCase()}`.slice(0, 6);
    const closed = await freePort();
    const cli = runCli(['start'], {
      TEMPORAL_ADDRESS: testServerAddress(),
      ML_CONNECTOR_MASTER_KEY: masterKey(),
      ML_CONNECTOR_TASK_QUEUE: `process-exit-${randomUUID()}`,
      SAGE300_BASE_URL: `http://127.0.0.1:${closed}/Sage300WebApi`,
      SAGE300_COMPANY: company,
      SAGE300_USERNAME: 'ADMIN',
      SAGE300_PASSWORD: 'ADMIN',
      MAILCHIMP_API_KEY: `${'0'.repeat(32)}-us1`,
      MAILCHIMP_API_URL: `http://127.0.0.1:${closed}/3.0`,
      MAILCHIMP_LIST_ID: 'unreachable1',
    });
    try {
      await cli.waitFor(/next scheduled run tries again/, 60_000);
      const out = cli.stdout();
      expect(out).toMatch(/First sync not run: Sage 300 or Mailchimp cannot be used/);
      expect(out).toMatch(/FAIL sage300 .*ECONNREFUSED/);
      expect(out).toMatch(/FAIL mailchimp .*ECONNREFUSED/);
      expect(out).toContain('npx ml-connector check');
      expect(out).toContain(`Schedule ml-connector-customers-${company}: created`);
      expect(out).not.toMatch(/First customers sync: job/);
      cli.child.kill('SIGINT');
      expect(await cli.exitWithin(EXIT_BOUND_MS)).toBe(0);
      expect(cli.stderr()).toBe('');
      expect(cli.stdout()).not.toMatch(/\bat .+:\d+:\d+\)/);
    } finally {
      const connection = await Connection.connect({ address: testServerAddress() });
      const client = new Client({ connection });
      for (const stream of ['customers', 'orders'])
        await client.schedule
          .getHandle(`ml-connector-${stream}-${company}`)
          .delete()
          .catch(() => undefined);
      await connection.close();
    }
  }, 90_000);
});
