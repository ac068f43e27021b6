import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { projectRoot } from '../../src/shared/paths.js';

// Files move; the README and docs/ must not keep pointing at where they were.
const root = projectRoot();
const pages = ['README.md', ...readdirSync(join(root, 'docs')).map((f) => join('docs', f))].filter((f) =>
  f.endsWith('.md'),
);

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(page: string): Set<string> {
  const text = readFileSync(join(root, page), 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
}

function broken(page: string): string[] {
  const text = readFileSync(join(root, page), 'utf8');
  const problems: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target!)) continue;
    const [file, hash] = target!.split('#');
    const linked = file ? relative(root, join(root, dirname(page), file)) : page;
    if (!existsSync(join(root, linked))) problems.push(`${page}: link to missing ${target}`);
    else if (hash && linked.endsWith('.md') && !anchorsOf(linked).has(hash))
      problems.push(`${page}: no heading for #${hash} in ${linked}`);
  }
  for (const [, path] of text.matchAll(/`((?:src|simulators|bench|test|scripts|docs)\/[\w./-]*\w)`/g)) {
    if (!existsSync(join(root, path!))) problems.push(`${page}: names missing path ${path}`);
  }
  // "`name` (`src/x.ts`...)" says that src/x.ts defines `name` (for `Class.method(...)`, the method).
  for (const [, name, path] of text.matchAll(
    /`(?:\w+\.)?(\w+)(?:\([^`]*\))?`\s+\(`((?:src|simulators|bench)\/[\w./-]+\.ts)`/g,
  )) {
    const file = join(root, path!);
    if (existsSync(file) && !new RegExp(`\\b${name}\\b`).test(readFileSync(file, 'utf8')))
      problems.push(`${page}: ${path} has no ${name}`);
  }
  return problems;
}

describe('README.md and docs/', () => {
  it('has pages to check', () => {
    expect(pages).toEqual(expect.arrayContaining(['README.md', 'docs/configuration.md']));
  });

  it.each(pages)(
    '%s links only to files and headings that exist, and names only paths and functions that exist',
    (page) => {
      expect(broken(page)).toEqual([]);
    },
  );
});
