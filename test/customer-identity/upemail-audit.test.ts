import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startHarness, type SyncHarness } from '../sync-customers/harness.js';
import { eventually } from '../webhooks/helpers.js';
import { memoryLogger } from '../helpers/logger.js';
import { testConfig } from '../helpers/config.js';
import { testServerAddress } from '../helpers/temporal.js';
import { command as auditCommand } from '../../src/cli/commands/audit.js';
import type { CliContext } from '../../src/cli/command.js';
import { MailchimpClient } from '../../src/mailchimp/client.js';
import { listWebhookEvents, type WebhookEventSummary } from '../../src/starter/webhooks/audit-events.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/starter/webhooks/receiver.js';
import { DEFAULT_EVENTS, DEFAULT_SOURCES, registerWebhook } from '../../src/starter/webhooks/registration.js';
import { NOT_CONNECTOR_MEMBER } from '../../src/starter/webhooks/upemail-customers.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(240_000);

const SECRET = 'upemail-secret-0123456789abcdef';

describe('audit --events matches upemail events to their customer', () => {
  let h: SyncHarness;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    h = await startHarness({ customers: 6, encrypted: true });
    await h.startWorker();
    receiver = await startWebhookReceiver({
      port: 0,
      host: '127.0.0.1',
      secret: SECRET,
      client: h.t.client,
      taskQueue: h.t.taskQueue,
      logger: memoryLogger('warn').logger,
    });
  });
  afterAll(async () => {
    await receiver?.stop();
    await h?.stop();
  });

  async function audit(...argv: string[]): Promise<string[]> {
    const lines: string[] = [];
    const config = testConfig({ ...h.vars, TEMPORAL_ADDRESS: testServerAddress() });
    const ctx: CliContext = {
      config: async () => config,
      logger: () => memoryLogger().logger,
      out: (l) => lines.push(l),
    };
    expect(await auditCommand.run(argv, ctx)).toBe(0);
    return lines;
  }

  it('shows the customer number of the member now at the new address, or that it is not the connector’s', async () => {
    expect((await h.runJob({ full: true })).status).toMatch(/^completed/);
    const customer = h.mc.state.members(h.listId)[0]!;
    const number = String(customer.mergeFields.SAGECUST);
    expect(number).not.toBe('undefined');
    const stranger = h.mc.state.seedMember(h.listId, {
      email: 'reader@newsletter.example',
      status: 'subscribed',
    });
    const mailchimp = await MailchimpClient.create(h.config.mailchimp);
    await registerWebhook(mailchimp, h.listId, {
      url: receiver.url,
      events: DEFAULT_EVENTS,
      sources: DEFAULT_SOURCES,
    });

    // Each person changes their address in Mailchimp: the member moves, and upemail reaches the receiver.
    const moved = 'moved.customer@maplehardware.com';
    await h.mc.fireWebhookEvent(h.listId, 'upemail', { old_email: customer.email, new_email: moved });
    await h.mc.fireWebhookEvent(h.listId, 'upemail', {
      old_email: stranger.email,
      new_email: 'reader.moved@newsletter.example',
    });
    await eventually(async () => {
      const recorded = await listWebhookEvents(h.t.client, { type: 'upemail', listId: h.listId });
      return recorded.length === 2 ? recorded : undefined;
    });
    expect(h.mc.state.member(h.listId, moved)?.mergeFields.SAGECUST).toBe(customer.mergeFields.SAGECUST);

    // The test server holds other tests' events too: this audience's rows only (and the header).
    const lines = (await audit('--events', '--type', 'upemail')).filter(
      (l, i) => i === 0 || l.includes(h.listId),
    );
    const text = lines.join('\n');
    expect(lines).toHaveLength(3);
    expect(lines.find((l) => l.includes('m***@m***.com'))).toContain(`customer ${number}`);
    expect(lines.find((l) => l.includes('r***@n***.example'))).toContain(NOT_CONNECTOR_MEMBER);
    for (const address of [moved, customer.email, stranger.email, 'reader.moved@newsletter.example'])
      expect(text).not.toContain(address);

    const json = (await audit('--events', '--type', 'upemail', '--json'))
      .map((l) => JSON.parse(l) as WebhookEventSummary)
      .filter((e) => e.listId === h.listId);
    expect(json.map((e) => e.customer ?? e.customerMatch).sort()).toEqual(
      [number, NOT_CONNECTOR_MEMBER].sort(),
    );
    expect(JSON.stringify(json)).not.toContain(moved);
  });
});
