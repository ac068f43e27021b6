import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { allSettings } from '../../src/config/index.js';

// No Docker engine runs here: the file is checked for what an on-prem admin relies on, and, where a
// Compose v2 binary exists, by `docker compose config` itself.
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string | number>;
  env_file?: Array<{ path: string; required: boolean }>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  profiles?: string[];
  stop_grace_period?: string;
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const knownVariables = new Set(allSettings().map((s) => s.variable));
const CONNECTOR = ['codec-server', 'worker', 'schedules', 'webhooks'];
const PUBLISH = '${PUBLISH_ADDRESS:-127.0.0.1}:';

/** `${NAME:-default}` -> default (what Compose substitutes when NAME is unset). */
const withDefaults = (s: string): string => {
  let out = s;
  for (let prev = ''; prev !== out;) {
    prev = out;
    out = out.replace(/\$\{[A-Z_]+:-([^${}]*)\}/g, '$1');
  }
  return out;
};

describe('docker-compose.yml', () => {
  it('has Temporal on PostgreSQL, its UI, the codec server, the worker, the schedule setup and the webhook receiver', () => {
    expect(Object.keys(services).sort()).toEqual([
      'codec-server',
      'postgresql',
      'schedules',
      'temporal',
      'temporal-ui',
      'webhooks',
      'worker',
    ]);
    expect(services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    // The receiver is optional: only `--profile webhooks` starts it.
    expect(services.webhooks!.profiles).toEqual(['webhooks']);
    expect(services.webhooks!.command).toEqual(['webhooks', 'serve', '--port', '8090']);
  });

  it('pins every image to a version', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build) continue;
      expect(`${name}: ${s.image}`).toMatch(/:\s?\S+:\d+(\.\d+)+$/);
    }
  });

  it('gives the servers health checks and starts dependants only when they are healthy', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'codec-server'])
      expect(services[name]!.healthcheck?.test.length).toBeGreaterThan(1);
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, cond] of Object.entries(s.depends_on ?? {})) {
        expect(services[dep]).toBeDefined();
        expect(`${name} -> ${dep}: ${cond.condition}`).toMatch(/service_healthy$/);
      }
    }
  });

  it('publishes every port on 127.0.0.1 unless PUBLISH_ADDRESS says otherwise; PostgreSQL not at all', () => {
    const published = Object.entries(services).flatMap(([name, s]) =>
      (s.ports ?? []).map((p) => `${name} ${p}`),
    );
    expect(published.length).toBe(4);
    for (const p of published)
      expect(p.slice(p.indexOf(' ') + 1).startsWith(PUBLISH) ? 'bound' : p).toBe('bound');
    expect(services.postgresql!.ports).toBeUndefined();
    expect(withDefaults(services.temporal!.ports![0]!)).toBe('127.0.0.1:7233:7233');
  });

  it('points the UI at the codec server, which answers the UI origin, with no token in the UI setting', () => {
    const ui = services['temporal-ui']!;
    const codec = services['codec-server']!;
    expect(ui.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
    const uiPort = withDefaults(ui.ports![0]!).split(':')[1];
    const codecPort = withDefaults(codec.ports![0]!).split(':')[1];
    const endpoint = withDefaults(String(ui.environment!.TEMPORAL_CODEC_ENDPOINT));
    expect(endpoint).toBe(`http://127.0.0.1:${codecPort}`);
    expect(endpoint).not.toMatch(/\/t\//);
    expect(withDefaults(String(codec.environment!.CODEC_SERVER_CORS_ORIGIN))).toBe(
      `http://127.0.0.1:${uiPort}`,
    );
    expect(codec.command).toEqual(['codec-server', '--host', '0.0.0.0', '--port', '8081']);
    expect(withDefaults(codec.ports![0]!)).toBe(`127.0.0.1:${codecPort}:8081`);
  });

  it('passes every setting to the connector (.env) and sets only variables the config schema knows', () => {
    for (const name of CONNECTOR) {
      const s = services[name]!;
      expect(s.env_file).toEqual([{ path: '.env', required: false }]);
      expect(s.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(s.volumes).toContain('connector-data:/data');
      for (const variable of Object.keys(s.environment!))
        expect(knownVariables.has(variable) ? variable : `unknown: ${variable}`).toBe(variable);
    }
  });

  it('mounts a Sage 300 CA file where SAGE300_CA_FILE points, only when one is given', () => {
    const worker = services.worker!;
    const mount = worker.volumes!.find((v) => v.includes('sage300-ca.pem'))!;
    expect(mount).toBe('${SAGE300_CA_HOST_FILE:-/dev/null}:/etc/ml-connector/sage300-ca.pem:ro');
    expect(worker.environment!.SAGE300_CA_FILE).toBe(
      '${SAGE300_CA_HOST_FILE:+/etc/ml-connector/sage300-ca.pem}',
    );
  });

  it('gives the worker the shutdown grace plus its closing time before Docker kills it', () => {
    expect(services.worker!.stop_grace_period).toBe('40s');
  });

  it('builds the connector from the Dockerfile, which runs the CLI', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    for (const name of CONNECTOR) expect(services[name]!.build).toBe('.');
    expect(services.worker!.command).toEqual(['worker']);
    expect(services.schedules!.command).toEqual(['schedule', 'apply']);
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "bin\/ml-connector.js"\]/);
    expect(dockerfile).toMatch(/ML_CONNECTOR_SKIP_TEMPORAL_CLI=1/);
  });

  it('is accepted by `docker compose config` (Compose v2), with and without the webhooks profile', () => {
    const compose = composeV2();
    if (!compose) return void console.log('skipped `docker compose config`: no Compose v2 binary here');
    const dir = mkdtempSync(join(tmpdir(), 'mlc-compose-'));
    copyFileSync('docker-compose.yml', join(dir, 'docker-compose.yml'));
    const dotEnv = (text: string) => writeFileSync(join(dir, '.env'), text);
    const config = (profile: string[]) =>
      parse(
        execFileSync(compose[0]!, [...compose.slice(1), ...profile, 'config', '--format', 'yaml'], {
          cwd: dir,
          encoding: 'utf8',
          env: { PATH: process.env.PATH, HOME: process.env.HOME },
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      ) as {
        services: Record<string, { environment: Record<string, string>; volumes: Array<{ source: string }> }>;
      };
    dotEnv('SYNC_TIMEZONE=Europe/Paris\n');
    expect(() => config([])).toThrow(/set ML_CONNECTOR_MASTER_KEY in \.env/);
    dotEnv('ML_CONNECTOR_MASTER_KEY=test-key\nSYNC_TIMEZONE=Europe/Paris\n');
    const plain = config([]);
    expect(Object.keys(plain.services).sort()).toEqual(
      ['codec-server', 'postgresql', 'schedules', 'temporal', 'temporal-ui', 'worker'].sort(),
    );
    // .env reaches the connector whole; the CA file setting stays unset without a CA.
    expect(plain.services.worker!.environment.SYNC_TIMEZONE).toBe('Europe/Paris');
    expect(plain.services.worker!.environment.SAGE300_CA_FILE ?? '').toBe('');
    expect(plain.services['temporal-ui']!.environment.TEMPORAL_CODEC_ENDPOINT).toBe('http://127.0.0.1:8081');
    expect(Object.keys(config(['--profile', 'webhooks']).services)).toContain('webhooks');
    dotEnv('ML_CONNECTOR_MASTER_KEY=test-key\nSAGE300_CA_HOST_FILE=/srv/pki/sage-ca.pem\n');
    const withCa = config([]).services.worker!;
    expect(withCa.environment.SAGE300_CA_FILE).toBe('/etc/ml-connector/sage300-ca.pem');
    expect(withCa.volumes.map((v) => v.source)).toContain('/srv/pki/sage-ca.pem');
  });
});

/** `docker compose` or a standalone v2 `docker-compose`, when one is installed. */
function composeV2(): string[] | undefined {
  for (const cmd of [['docker', 'compose'], ['docker-compose']]) {
    try {
      const version = execFileSync(cmd[0]!, [...cmd.slice(1), 'version', '--short'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      // 1.x is the Python docker-compose; a v2 built from source says `dev`.
      if (!/^v?1\./.test(version.trim())) return cmd;
    } catch {
      // Not this one.
    }
  }
  return undefined;
}
