import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/shared/paths.js';

export interface ReadmeCommand {
  /** The command as printed, without its comment. */
  command: string;
  /** The exit code its comment documents (`exit 3: ...`), else 0. */
  exit: number;
}

/** The commands of the fenced `sh` blocks under a README heading, one per line, in order. */
export function readmeCommands(heading: string): ReadmeCommand[] {
  const text = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${heading}" section`);
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  const commands: ReadmeCommand[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split('\n')) {
      const [command, comment = ''] = line.split(/\s+#\s/, 2);
      if (!command?.trim()) continue;
      commands.push({ command: command.trim(), exit: Number(/\bexit (\d+)\b/.exec(comment)?.[1] ?? 0) });
    }
  }
  return commands;
}
