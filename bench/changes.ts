import type { Sage300Data } from '../simulators/sage300/index.js';

/**
 * Edits 1% of the customers as the AR screen does (DateLastMaintained becomes today): one in each
 * hundred, at a scattered place, so both customers of a shared-address pair are seldom changed
 * together. One in `emailEvery` of them also gets a new address of its own (0: none), so an
 * incremental run meets moved members too. Returns the changed customer numbers and the moved
 * addresses (old Email, new Email).
 */
export function changeOnePercent(
  data: Sage300Data,
  opts: { emailEvery?: number } = {},
): { changed: string[]; moved: Array<[string, string]> } {
  const table = data.tables.ARCustomers;
  const changed: string[] = [];
  for (let m = 0; 100 * m < table.size; m++) {
    const p = 100 * m + ((m * 7919) % 100);
    if (p < table.size) changed.push(String(table.at(p).CustomerNumber));
  }
  const moved: Array<[string, string]> = [];
  changed.forEach((key, k) => {
    const email = `moved.${key.toLowerCase()}@example.net`;
    const move = opts.emailEvery && k % opts.emailEvery === 0;
    if (move) moved.push([String(data.customer(key)?.Email ?? ''), email]);
    data.editCustomer(key, { CustomerName: `Renamed ${key}`, ...(move ? { Email: email } : {}) });
  });
  return { changed, moved };
}
