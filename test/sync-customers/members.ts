import { expect } from '@jest/globals';
import type { SyncHarness } from './harness.js';

export interface ApiMember {
  email_address: string;
  status: string;
  merge_fields: Record<string, unknown>;
  tags: { name: string }[];
}

/** Members read back through the simulator's HTTP API (not its in-memory state). */
export async function readMembers(h: SyncHarness): Promise<ApiMember[]> {
  const res = await fetch(`${h.mc.apiUrl}/lists/${h.listId}/members?count=1000`, {
    headers: { authorization: `Basic ${Buffer.from(`any:${h.mc.apiKey}`).toString('base64')}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { members: ApiMember[] }).members;
}

export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}
