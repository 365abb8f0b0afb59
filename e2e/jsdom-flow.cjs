// supertokens-web-js 0.16.0 outside a browser: its CommonJS build in Node.js with jsdom
// providing window, document, localStorage and XMLHttpRequest, and Node's own fetch. Node's
// fetch keeps no cookies, so this is header mode only (what a non-browser JavaScript client
// does). Run by e2e/run.mjs as the flow `jsdom-header`, in a process of its own because it
// installs globals.
//
// phone → code from the console → signed in (user id, /sessioninfo through the SDK's fetch
// interceptor) → refresh → sign out → /sessioninfo is 401.
//
// Environment: WEBSITE_URL, API_URL, CONSOLE_LOG as for run.mjs. Exits non-zero with the
// reason on stderr when a step fails.
"use strict";

const fs = require("fs");
const { JSDOM } = require("jsdom");

const WEBSITE_URL = process.env.WEBSITE_URL || "http://localhost:3000";
const API_URL = process.env.API_URL || "http://localhost:3001";
const CONSOLE_LOG = process.env.CONSOLE_LOG;
const STEP_TIMEOUT = 15_000;

function check(condition, message) {
  if (!condition) throw new Error(message);
}
function equal(actual, expected, what) {
  check(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

async function codeFor(contact, after) {
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    const text = fs.existsSync(CONSOLE_LOG) ? fs.readFileSync(CONSOLE_LOG, "utf8") : "";
    const codes = text
      .split("\n")
      .map((line) => /^\[supertokens\] passwordless to=(\S+) code=(\d+) /.exec(line))
      .filter((m) => m && m[1] === contact)
      .map((m) => m[2]);
    if (codes.length > after) return codes[codes.length - 1];
    check(Date.now() < deadline, `no console line for ${contact} within ${STEP_TIMEOUT} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
function messagesTo(contact) {
  const text = fs.existsSync(CONSOLE_LOG) ? fs.readFileSync(CONSOLE_LOG, "utf8") : "";
  return text.split("\n").filter((line) => line.startsWith(`[supertokens] passwordless to=${contact} `)).length;
}

async function main() {
  check(CONSOLE_LOG, "CONSOLE_LOG is not set");
  const { window } = new JSDOM("<!doctype html><html><body></body></html>", { url: `${WEBSITE_URL}/` });
  const nodeFetch = globalThis.fetch;
  window.fetch = (...args) => nodeFetch(...args);
  // web-js's own calls use the global fetch, while the session layer later wraps window.fetch;
  // the indirection makes both go through the wrapper.
  globalThis.window = window;
  globalThis.document = window.document;
  globalThis.localStorage = window.localStorage;
  globalThis.XMLHttpRequest = window.XMLHttpRequest;
  globalThis.fetch = (...args) => window.fetch(...args);

  const SuperTokens = require("supertokens-web-js").default;
  const Session = require("supertokens-web-js/recipe/session").default;
  const Passwordless = require("supertokens-web-js/recipe/passwordless").default;
  SuperTokens.init({
    appInfo: { appName: "jsdom", apiDomain: API_URL, apiBasePath: "/auth" },
    recipeList: [Session.init({ tokenTransferMethod: "header" }), Passwordless.init()],
  });

  equal(await Session.doesSessionExist(), false, "doesSessionExist() before sign-in");
  const phone = `+1415555${String(Date.now() % 10000).padStart(4, "0")}`;
  const seen = messagesTo(phone);
  const created = await Passwordless.createCode({ phoneNumber: phone });
  equal(created.status, "OK", "createCode");
  const code = await codeFor(phone, seen);
  const consumed = await Passwordless.consumeCode({ userInputCode: code });
  equal(consumed.status, "OK", "consumeCode");
  equal(await Session.doesSessionExist(), true, "doesSessionExist() after sign-in");
  equal(await Session.getUserId(), consumed.user.id, "getUserId()");

  const info = await window.fetch(`${API_URL}/sessioninfo`);
  equal(info.status, 200, "/sessioninfo through the interceptor");
  equal((await info.json()).userId, consumed.user.id, "/sessioninfo userId");

  equal(await Session.attemptRefreshingSession(), true, "attemptRefreshingSession()");
  const again = await window.fetch(`${API_URL}/sessioninfo`);
  equal(again.status, 200, "/sessioninfo after the refresh");

  await Session.signOut();
  equal(await Session.doesSessionExist(), false, "doesSessionExist() after sign-out");
  const after = await window.fetch(`${API_URL}/sessioninfo`);
  equal(after.status, 401, "/sessioninfo after sign-out");
  window.close();
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e && e.message ? e.message : e}\n`);
    process.exit(1);
  },
);
