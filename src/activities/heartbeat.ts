import { heartbeat } from '@temporalio/activity';

/** Well inside the page activities' 30 s heartbeat timeout (src/workflows/activity-options.ts). */
const HEARTBEAT_EVERY_MS = 5_000;

/**
 * Runs `step` while heartbeating `details()`: at once, every few seconds in the background (a slow
 * Sage or Mailchimp call must not look like a dead worker), and whenever `step` calls `beat()` after
 * progress worth keeping (a retried attempt resumes from the last details Temporal received).
 */
export async function withHeartbeat<T>(
  details: () => unknown,
  step: (beat: () => void) => Promise<T>,
): Promise<T> {
  const beat = () => heartbeat(details());
  beat();
  const timer = setInterval(beat, HEARTBEAT_EVERY_MS);
  try {
    return await step(beat);
  } finally {
    clearInterval(timer);
  }
}
