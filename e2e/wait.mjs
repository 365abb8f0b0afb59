// Waits until a URL answers HTTP (any status below 500): `node wait.mjs <url> [timeout-ms]`.
// Exits 0 when it does, 1 on timeout, so suites never drive a server that is not up yet.
const [url, timeoutArg] = process.argv.slice(2);
const deadline = Date.now() + Number(timeoutArg || 120_000);
for (;;) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    if (response.status < 500) process.exit(0);
  } catch {
    // not listening yet
  }
  if (Date.now() > deadline) {
    console.error(`${url} did not answer within ${timeoutArg || 120_000} ms`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 200));
}
