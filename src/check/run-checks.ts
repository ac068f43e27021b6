import type { AppConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { checkMailchimp } from './mailchimp-checks.js';
import { checkSage300 } from './sage300-checks.js';
import type { CheckedSystem, CheckReport } from './types.js';

export type { CheckReport, CheckResult, CheckedSystem } from './types.js';

/** Tries the configured systems; the report is OK only when every check passed. */
export async function runChecks(
  config: AppConfig,
  opts: { systems?: CheckedSystem[]; logger?: Logger } = {},
): Promise<CheckReport> {
  const systems = opts.systems ?? ['sage300', 'mailchimp'];
  const [sage, mailchimp] = await Promise.all([
    systems.includes('sage300') ? checkSage300(config.sage300, opts.logger) : Promise.resolve([]),
    systems.includes('mailchimp') ? checkMailchimp(config.mailchimp, opts.logger) : Promise.resolve([]),
  ]);
  const results = [...sage, ...mailchimp];
  return { ok: results.length > 0 && results.every((r) => r.ok), results };
}

const MAX_DETAIL = 300;

/**
 * A server's answer as one short line: an error page (IIS answers a wrong path with a whole HTML
 * page) loses its markup, styles and scripts, and anything past a few hundred characters is cut.
 */
export function oneLine(text: string): string {
  const plain = /<[a-z!/][^>]*>/i.test(text)
    ? text
        .replace(/<(style|script)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
        .replace(/<[^>]+>/g, ' ')
        .replace(/&nbsp;/g, ' ')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&')
    : text;
  const line = plain.replace(/\s+/g, ' ').trim();
  return line.length > MAX_DETAIL ? `${line.slice(0, MAX_DETAIL - 3)}...` : line;
}

/** One line per check: `OK   sage300    customers  ...`, failures followed by what to try. */
export function formatReport(report: CheckReport): string[] {
  const lines: string[] = [];
  for (const r of report.results) {
    lines.push(`${r.ok ? 'OK  ' : 'FAIL'} ${r.system.padEnd(9)} ${r.check.padEnd(13)} ${oneLine(r.detail)}`);
    if (!r.ok && r.hint) lines.push(`     ${''.padEnd(9)} ${''.padEnd(13)} -> ${r.hint}`);
  }
  lines.push(
    report.ok ? 'All checks passed.' : 'Some checks failed: the connector cannot run until they pass.',
  );
  return lines;
}
