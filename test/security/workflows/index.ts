// Workflows bundled by the encryption tests' worker (kept apart from src/workflows so these tests
// do not depend on the connector's own workflows compiling).
import { proxyActivities } from '@temporalio/workflow';

interface FixtureActivities {
  echoProfile(p: { name: string; email: string; note: string }): Promise<{ greeting: string; email: string }>;
  failWith(message: string): Promise<void>;
}

const acts = proxyActivities<FixtureActivities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 1 },
});

export async function profileRoundTrip(p: {
  name: string;
  email: string;
  note: string;
}): Promise<{ greeting: string; email: string }> {
  return acts.echoProfile(p);
}

export async function failingActivity(message: string): Promise<void> {
  await acts.failWith(message);
}
