export default async function globalTeardown() {
  await globalThis.__TEMPORAL_TEST_ENV__?.teardown();
}
