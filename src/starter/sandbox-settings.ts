import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { hasMailchimp, hasSage300, type AppConfig } from '../config/index.js';
import { writePrivateFile } from '../security/sealed-file.js';

const simulatedSides = z.object({
  sage300: z
    .object({ baseUrl: z.string(), company: z.string(), username: z.string(), password: z.string() })
    .optional(),
  mailchimp: z.object({ apiUrl: z.string(), apiKey: z.string(), listId: z.string() }).optional(),
});

/** Where the simulators of a running sandbox are, and how to sign in to them. */
export type SimulatedSides = z.infer<typeof simulatedSides>;

const settingsFile = simulatedSides.extend({ pid: z.number().int().positive() });

export type SandboxSide = 'sage300' | 'mailchimp';

/** The sandbox a command's configuration was completed with. */
export interface SandboxUse {
  file: string;
  sides: SandboxSide[];
}

/** `<dataDir>/sandbox.json`: written by `start` while its sandbox runs, read by the other commands. */
export const sandboxSettingsFile = (dataDir: string) => join(dataDir, 'sandbox.json');

/**
 * A side that is not fully configured is simulated: its connection settings are the simulator's,
 * whatever partial values the user set (the same for `start` and for the commands that follow it).
 */
export function pointAtSimulators(config: AppConfig, sim: SimulatedSides): AppConfig {
  let out = config;
  if (sim.sage300 && !hasSage300(config))
    out = { ...out, sage300: { ...out.sage300, ...sim.sage300, preservePasswordCase: false } };
  if (sim.mailchimp && !hasMailchimp(config))
    out = { ...out, mailchimp: { ...out.mailchimp, ...sim.mailchimp, oauthToken: undefined } };
  return out;
}

/** Mode 0600: the simulators' made-up credentials, for the user running `start` and its commands. */
export async function writeSandboxSettings(dataDir: string, sim: SimulatedSides): Promise<string> {
  const file = sandboxSettingsFile(dataDir);
  await writePrivateFile(file, `${JSON.stringify({ pid: process.pid, ...sim }, null, 2)}\n`);
  return file;
}

export function removeSandboxSettings(dataDir: string): void {
  rmSync(sandboxSettingsFile(dataDir), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The sandbox that `start` runs on this data folder now: none when there is no file, or when the
 * `start` that wrote it is gone (killed before it could remove it).
 */
export function readSandboxSettings(dataDir: string): SimulatedSides | undefined {
  let text: string;
  try {
    text = readFileSync(sandboxSettingsFile(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = settingsFile.safeParse(json);
  if (!parsed.success || !alive(parsed.data.pid)) return undefined;
  const { pid: _pid, ...sides } = parsed.data;
  return sides;
}

/** The configuration a command runs with while a sandbox runs: its simulated sides filled in. */
export function withRunningSandbox(config: AppConfig): { config: AppConfig; sandbox?: SandboxUse } {
  const sim = readSandboxSettings(config.app.dataDir);
  if (!sim) return { config };
  const sides: SandboxSide[] = [];
  if (sim.sage300 && !hasSage300(config)) sides.push('sage300');
  if (sim.mailchimp && !hasMailchimp(config)) sides.push('mailchimp');
  if (sides.length === 0) return { config };
  return {
    config: pointAtSimulators(config, sim),
    sandbox: { file: sandboxSettingsFile(config.app.dataDir), sides },
  };
}
