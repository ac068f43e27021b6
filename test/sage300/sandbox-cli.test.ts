import { describe, expect, it } from '@jest/globals';
import { command } from '../../src/cli/commands/sandbox.js';
import { UsageError, type CliContext } from '../../src/cli/command.js';
import { Sage300Client } from '../../src/sage300/client.js';

function context(lines: string[]): CliContext {
  return {
    out: (l) => lines.push(l),
    config: () => Promise.reject(new Error('the sandbox needs no configuration')),
    logger: () => {
      throw new Error('the sandbox does not log');
    },
  };
}

describe('ml-connector sandbox sage300', () => {
  it('prints the connection settings, serves them, and stops on SIGINT', async () => {
    const lines: string[] = [];
    const running = command.run(
      ['sage300', '--port', '0', '--customers', '12', '--seed', '5'],
      context(lines),
    );
    const deadline = Date.now() + 10_000;
    while (!lines.some((l) => l.startsWith('SAGE300_PASSWORD=')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const setting = (name: string) => lines.find((l) => l.startsWith(`${name}=`))!.slice(name.length + 1);
    const client = new Sage300Client({
      baseUrl: setting('SAGE300_BASE_URL'),
      company: setting('SAGE300_COMPANY'),
      username: setting('SAGE300_USERNAME'),
      password: setting('SAGE300_PASSWORD'),
    });
    try {
      expect(await client.count('customers')).toBe(12);
    } finally {
      client.close();
    }
    // The command waits for a shutdown signal; emitting it reaches the same handler a real one would.
    process.emit('SIGINT', 'SIGINT');
    await expect(running).resolves.toBe(0);
  });

  it('rejects an unknown simulator and bad numbers with a usage error', async () => {
    await expect(command.run(['nope'], context([]))).rejects.toBeInstanceOf(UsageError);
    await expect(command.run(['sage300', '--customers', 'many'], context([]))).rejects.toBeInstanceOf(
      UsageError,
    );
  });
});
