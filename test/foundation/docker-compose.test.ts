import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { allSettings } from '../../src/config/index.js';

// No Docker engine runs here, so the compose file is checked for coherence instead of started.
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const knownVariables = new Set(allSettings().map((s) => s.variable));

describe('docker-compose.yml', () => {
  it('has Temporal on PostgreSQL, the UI, the worker and the schedule setup', () => {
    expect(Object.keys(services).sort()).toEqual([
      'postgresql',
      'schedules',
      'temporal',
      'temporal-ui',
      'worker',
    ]);
    expect(services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
  });

  it('pins every image to a version', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build) continue;
      expect(`${name}: ${s.image}`).toMatch(/:\s?\S+:\d+(\.\d+)+$/);
    }
  });

  it('gives the servers health checks and starts dependants only when they are healthy', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui'])
      expect(services[name]!.healthcheck?.test.length).toBeGreaterThan(1);
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, cond] of Object.entries(s.depends_on ?? {})) {
        expect(services[dep]).toBeDefined();
        expect(`${name} -> ${dep}: ${cond.condition}`).toMatch(/service_healthy$/);
      }
    }
  });

  it('points the UI and the connector at the temporal service port', () => {
    const frontendPort = services.temporal!.ports!.map((p) => p.split(':')[1]).find((p) => p === '7233');
    expect(frontendPort).toBe('7233');
    expect(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(services.worker!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(services['temporal-ui']!.ports).toContain('8233:8080');
  });

  it('configures the connector only with variables the config schema knows', () => {
    for (const name of ['worker', 'schedules']) {
      const env = services[name]!.environment!;
      expect(Object.keys(env).length).toBeGreaterThan(5);
      for (const variable of Object.keys(env))
        expect(knownVariables.has(variable) ? variable : `unknown: ${variable}`).toBe(variable);
    }
  });

  it('builds the worker from the Dockerfile, which runs the CLI', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(services.worker!.build).toBe('.');
    expect(services.worker!.command).toEqual(['worker']);
    expect(services.schedules!.command).toEqual(['schedule', 'apply']);
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "bin\/ml-connector.js"\]/);
    expect(dockerfile).toMatch(/ML_CONNECTOR_SKIP_TEMPORAL_CLI=1/);
  });
});
