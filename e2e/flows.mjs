// What the end-to-end drivers share: checks, Debian's chromium, and the loop that runs named
// flows one after another, each within a time limit, prints `ok   <flow> (N s)` or
// `FAIL <flow> (N s): why`, writes {"passed":N,"failed":N} to $RESULTS, and exits non-zero when a
// flow failed.

import fs from "node:fs";
import { chromium } from "playwright-core";

// A failed expectation: reported by its message alone (other errors with their stack).
export class Failure extends Error {}
export function check(condition, message) {
  if (!condition) throw new Failure(message);
}
export function equal(actual, expected, what) {
  check(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Debian's chromium ($CHROMIUM, default /usr/bin/chromium), with flags for a machine without
// outside network (see the README).
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    timeout: 30_000,
  });
}

function writeResults(passed, failed) {
  if (process.env.RESULTS) fs.writeFileSync(process.env.RESULTS, JSON.stringify({ passed, failed }));
}

// `flow(name)` returns the promise of one flow; `cleanup` runs once at the end (closing the
// browser).
export async function runFlows(names, flow, { timeoutMs, cleanup = async () => {} }) {
  let passed = 0;
  let failed = 0;
  try {
    for (const name of names) {
      const started = Date.now();
      let timer;
      try {
        await Promise.race([
          flow(name),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Failure(`timed out after ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        passed += 1;
        console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed += 1;
        console.log(`FAIL ${name} (${((Date.now() - started) / 1000).toFixed(1)} s): ${e instanceof Failure ? e.message : e.stack || e}`);
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    await cleanup();
    writeResults(passed, failed);
  }
  process.exit(failed === 0 ? 0 : 1);
}

// For a driver's main(): an error before or around the flows counts as one failure.
export function crashed(e) {
  console.error(e.stack || String(e));
  writeResults(0, 1);
  process.exit(1);
}
