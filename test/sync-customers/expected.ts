import { emailProblem } from '../../simulators/mailchimp/email.js';

type Row = Record<string, unknown>;

/**
 * The members a full sync must produce, computed from the simulator's seeded rows with the rules
 * the README documents (written again here, not imported from the mapping):
 * email = first of Email, ContactsEmail that is a plausible address after trimming; customers
 * sharing an address (case-insensitive) collapse into the lowest CustomerNumber; Mailchimp
 * refuses what its own address check refuses (the simulator's rule: reserved TLDs, made-up names).
 */
export function expectedMembers(rows: Row[]): {
  members: Map<string, { key: string }>;
  skipped: Set<string>;
  duplicates: Map<string, string>;
  rejected: Set<string>;
} {
  const plausible = (s: string) => /^[^\s@;,]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/.test(s);
  const skipped = new Set<string>();
  const byEmail = new Map<string, string[]>();
  for (const r of rows) {
    const key = String(r.CustomerNumber);
    const candidates = [r.Email, r.ContactsEmail].map((v) => String(v ?? '').trim()).filter(Boolean);
    const email = candidates.find(plausible);
    if (!email) {
      skipped.add(key);
      continue;
    }
    const id = email.toLowerCase();
    byEmail.set(id, [...(byEmail.get(id) ?? []), key]);
  }
  const members = new Map<string, { key: string }>();
  const duplicates = new Map<string, string>();
  const rejected = new Set<string>();
  for (const [email, keys] of byEmail) {
    const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const winner = sorted[0]!;
    for (const loser of sorted.slice(1)) duplicates.set(loser, winner);
    if (emailProblem(email)) rejected.add(winner);
    else members.set(email, { key: winner });
  }
  return { members, skipped, duplicates, rejected };
}
