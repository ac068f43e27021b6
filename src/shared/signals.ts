const EXIT_CODE: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** Time allowed after a stop's grace period to close connections and child processes. */
const CLOSE_MARGIN_MS = 5_000;

export interface StopSignals {
  /** Resolves with the first SIGINT or SIGTERM received after `running()`. */
  readonly requested: Promise<NodeJS.Signals>;
  /** The command is up: from now on the first signal asks for a graceful stop instead of exiting. */
  running(): void;
}

/**
 * Owns SIGINT and SIGTERM for a long-running command (the Temporal runtime is installed without
 * signal handlers of its own, so nothing else swallows them).
 *
 * While the command starts up, a signal exits at once: nothing runs yet that could finish, and
 * child processes go with the process's 'exit' hooks. Once it runs, the first signal resolves
 * `requested`; the stop must end within `graceMs` (plus a few seconds to close connections) or the
 * process exits anyway, and a second signal exits at once, as an operator pressing Ctrl-C twice
 * expects.
 */
export function trapStopSignals(opts: { command: string; graceMs?: number }): StopSignals {
  let running = false;
  let stopping = false;
  let resolveRequested!: (signal: NodeJS.Signals) => void;
  const requested = new Promise<NodeJS.Signals>((resolve) => (resolveRequested = resolve));
  const exitNow = (signal: NodeJS.Signals, why: string) => {
    process.stderr.write(`ml-connector ${opts.command}: ${why}\n`);
    process.exit(EXIT_CODE[signal] ?? 1);
  };
  const handler = (signal: NodeJS.Signals) => {
    if (!running) return exitNow(signal, `${signal} while starting: stopped`);
    if (stopping) return exitNow(signal, `second ${signal}: stopped without waiting`);
    stopping = true;
    if (opts.graceMs !== undefined) {
      const seconds = Math.round((opts.graceMs + CLOSE_MARGIN_MS) / 1000);
      const why = `not stopped ${seconds}s after ${signal} (ML_CONNECTOR_SHUTDOWN_GRACE + ${CLOSE_MARGIN_MS / 1000}s): stopped`;
      setTimeout(() => exitNow(signal, why), opts.graceMs + CLOSE_MARGIN_MS).unref();
    }
    resolveRequested(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    requested,
    running: () => {
      running = true;
    },
  };
}

/** For servers that are up when this is called and stop at once: resolves on the first signal. */
export function waitForShutdownSignal(command = 'sandbox'): Promise<NodeJS.Signals> {
  const signals = trapStopSignals({ command });
  signals.running();
  return signals.requested;
}

/** Milliseconds of a duration setting in the configuration's format (90s, 5m, 1h, 2d, 500ms). */
export function durationMs(duration: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(duration);
  if (!m) throw new Error(`not a duration: ${duration}`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms'];
  return Number(m[1]) * unit;
}
