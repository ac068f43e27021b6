import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root, whether this file runs from src/ (tests) or dist/ (built). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

/** Resolves a module next to the caller in either layout: `.js` when built, `.ts` under jest. */
export function siblingModule(fromUrl: string, relative: string): string {
  const base = resolve(dirname(fileURLToPath(fromUrl)), relative);
  if (existsSync(`${base}.js`)) return `${base}.js`;
  if (existsSync(`${base}.ts`)) return `${base}.ts`;
  throw new Error(`module ${relative} not found next to ${fromUrl}`);
}
