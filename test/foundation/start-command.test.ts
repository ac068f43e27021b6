import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/ports.js';

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// The real `ml-connector start` (the built CLI that `npm start` runs) in its own process.
describe('ml-connector start', () => {
  it('brings up an embedded Temporal with its UI and a polling worker, and stops cleanly on SIGINT', async () => {
    const [port, uiPort, codecPort, webhookPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const webhookSecret = 'start-test-secret-0123456789';
    const dataDir = mkdtempSync(join(tmpdir(), 'mlc-start-'));
    const child = spawn(process.execPath, ['bin/ml-connector.js', 'start', '--no-first-sync'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ML_CONNECTOR_DATA_DIR: dataDir,
        TEMPORAL_DEV_SERVER_PORT: String(port),
        TEMPORAL_UI_PORT: String(uiPort),
        CODEC_SERVER_PORT: String(codecPort),
        WEBHOOK_PORT: String(webhookPort),
        WEBHOOK_SECRET: webhookSecret,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    const deadline = Date.now() + 120_000;
    while (!/Worker polling/.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`start did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
    expect(ui.status).toBe(200);
    // The embedded UI decodes encrypted payloads through the codec server that start runs.
    const settings = (await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`)).json()) as {
      Codec: { Endpoint: string };
    };
    // ...with no token in it: these settings are served to anyone who asks.
    expect(settings.Codec.Endpoint).toBe(`http://127.0.0.1:${codecPort}`);
    // The webhook receiver answers Mailchimp's validation GET on the secret URL, and 401 without it.
    expect((await fetch(`http://127.0.0.1:${webhookPort}/mailchimp/webhook/${webhookSecret}`)).status).toBe(
      200,
    );
    expect(
      (await fetch(`http://127.0.0.1:${webhookPort}/mailchimp/webhook/wrong-secret-0000000000`)).status,
    ).toBe(401);
    const servers = childPids(child.pid!);
    expect(servers.length).toBeGreaterThan(0);
    // The dev server's pid is recorded for the next start, in case this one is killed.
    const pidFile = join(dataDir, 'temporal', 'dev-server.pid');
    expect(servers).toContain(Number(readFileSync(pidFile, 'utf8')));

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    for (const pid of servers) expect(alive(pid)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
  }, 180_000);

  it('gives one clear line naming the variable for a config error', () => {
    let stderr = '';
    let status = 0;
    try {
      execFileSync(process.execPath, ['bin/ml-connector.js', 'start'], {
        env: { PATH: process.env.PATH, TEMPORAL_ADDRESS: 'localhost' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      const e = err as { stderr: string; status: number };
      stderr = e.stderr;
      status = e.status;
    }
    expect(status).toBe(78);
    expect(stderr.trim().split('\n')).toEqual([
      'ml-connector: Invalid configuration: TEMPORAL_ADDRESS: must be host:port, for example localhost:7233 (got "localhost")',
    ]);
  });
});
