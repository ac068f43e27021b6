import type { Client } from '@temporalio/client';

/**
 * The needles found in `text`, as-is and in the encodings a payload could carry them in (base64 of
 * the UTF-8 bytes at each of the three alignments, JSON-escaped). Empty means nothing leaked.
 */
export function scanForSecrets(text: string, needles: string[]): string[] {
  const found: string[] = [];
  for (const needle of needles) {
    if (!needle) continue;
    const forms = new Set<string>([needle, JSON.stringify(needle).slice(1, -1)]);
    for (const pad of ['', 'x', 'xx']) {
      const b64 = Buffer.from(pad + needle, 'utf8').toString('base64');
      // Drop the characters that depend on the padding and on what follows the needle.
      const start = pad.length === 0 ? 0 : pad.length === 1 ? 2 : 3;
      const core = b64.slice(start, b64.length - 4);
      if (core.length >= 8) forms.add(core);
    }
    const lower = text.toLowerCase();
    if (lower.includes(needle.toLowerCase()) || [...forms].some((f) => text.includes(f))) found.push(needle);
  }
  return found;
}

/**
 * Every workflow history the client can list (optionally filtered by a visibility query), as raw
 * JSON text (bytes as base64, the proto JSON form). Pass a Client WITHOUT the payload codec so
 * payloads stay as the server stores them. Lists through the raw service, because
 * `client.workflow.list()` decodes memos, which fails on encrypted ones without the codec.
 */
export async function dumpHistories(client: Client, query?: string): Promise<string> {
  const parts: string[] = [];
  const namespace = client.options.namespace;
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({ namespace, query, nextPageToken });
    for (const info of page.executions ?? []) {
      const workflowId = info.execution?.workflowId ?? '';
      const runId = info.execution?.runId ?? undefined;
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      parts.push(JSON.stringify({ workflowId, runId, memo: info.memo, history }));
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return `[${parts.join(',\n')}]`;
}
