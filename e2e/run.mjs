// Drives the login page in Debian's headless chromium through playwright-core, as a person
// would, and checks what the official supertokens-web-js does against the backend under test;
// plus the raw-HTTP token-theft scenario (no frontend SDK).
//
//   node e2e/run.mjs <flow>...
//
// Flows:
//   phone-cookie, phone-header  phone → a wrong code (the attempt count is shown) → the right
//                               code → /sessioninfo shows the user → refresh → sign out → 401
//   email-link-cookie, email-link-header
//                               e-mail → the magic link opened in the browser → signed in →
//                               refresh → sign out → 401
//   phone-restart               five wrong codes → the flow restarts (the page says so) → a new
//                               code, "send a new code" → the newest code signs in (with
//                               RESEND_INTERVAL=1: the resend is refused as too early, the page
//                               says how long to wait, and the code already sent signs in)
//   roles-cookie, roles-header  the roles example: phone sign-in → GET /admin is 403 (st-role) and
//                               web-js's validateClaims fails → the demo grant → GET /admin is
//                               200, validateClaims passes, getClaimValue is ["admin"] → sign out
//   phone-tenant                web-js's Multitenancy recipe on tenant customer1: phone sign-in
//                               through /auth/customer1/…, /sessioninfo and the token's tId
//                               say customer1 → sign out
//   theft                       header mode over plain HTTP: consume, refresh, first use of the
//                               new access token, reuse of the old refresh token → theft
//   walkthrough                 the README's curl walk-through, over plain HTTP in header mode
//   jsdom-header                supertokens-web-js's CommonJS build in Node.js with jsdom
//                               (jsdom-flow.cjs): sign-in, refresh, sign-out in header mode
//   own-app                     the custom example over plain HTTP: sign-in by link and by code
//                               from the outbox, /me behind the guard, /maybe, refresh,
//                               /logout-everywhere clears the tokens and both sessions are refused
//
// Environment: WEBSITE_URL (default http://localhost:3000), API_URL (http://localhost:3001),
// CONSOLE_LOG (the backend's stdout, where codes and links are printed; required unless OUTBOX
// is set), OUTBOX (the custom example's outbox file, read instead of the console),
// ACCESS_TOKEN_LIFETIME_SECS (when set, the flows wait for the access token to expire and check
// that the frontend SDK refreshes it by itself; otherwise they ask it to refresh),
// RESULTS (a file that receives {"passed":N,"failed":N}), CHROMIUM (default /usr/bin/chromium).
//
// Prints one line per flow; exits non-zero when a flow fails.

import { execFile } from "node:child_process";
import fs from "node:fs";
import { Failure, check, crashed, equal, launchChromium, runFlows, sleep } from "./flows.mjs";

const WEBSITE_URL = process.env.WEBSITE_URL || "http://localhost:3000";
const API_URL = process.env.API_URL || "http://localhost:3001";
const CONSOLE_LOG = process.env.CONSOLE_LOG;
const OUTBOX = process.env.OUTBOX;
const LIFETIME = process.env.ACCESS_TOKEN_LIFETIME_SECS ? Number(process.env.ACCESS_TOKEN_LIFETIME_SECS) : null;
const RESEND_INTERVAL = process.env.RESEND_INTERVAL === "1";
const STEP_TIMEOUT = 15_000;
const FLOW_TIMEOUT = 90_000;

// A phone number or e-mail address that no earlier run used (the embedded core may keep its data).
let serial = 0;
function uniqueDigits(n) {
  serial += 1;
  return String((Date.now() * 10 + serial) % 10 ** n).padStart(n, "0");
}
const newPhone = () => `+1415555${uniqueDigits(4)}`;
const newEmail = () => `e2e-${Date.now().toString(36)}-${uniqueDigits(4)}@example.com`;

// The console delivery prints `[supertokens] passwordless to=<contact> code=<code|-> link=<url|->`.
// Waits for a message to `contact` after the first `after` messages to it.
// With OUTBOX set, the messages are the outbox's JSON lines instead.
function messagesTo(contact) {
  if (OUTBOX) return outboxTo(contact);
  check(CONSOLE_LOG, "CONSOLE_LOG is not set");
  const text = fs.existsSync(CONSOLE_LOG) ? fs.readFileSync(CONSOLE_LOG, "utf8") : "";
  const out = [];
  for (const line of text.split("\n")) {
    const m = /^\[supertokens\] passwordless to=(\S+) code=(\S+) link=(\S+)\s*$/.exec(line);
    if (m && m[1] === contact) out.push({ code: m[2] === "-" ? null : m[2], link: m[3] === "-" ? null : m[3] });
  }
  return out;
}
function outboxTo(contact) {
  const text = fs.existsSync(OUTBOX) ? fs.readFileSync(OUTBOX, "utf8") : "";
  // Whole lines only: the last one may still be being written.
  const lines = text.slice(0, text.lastIndexOf("\n") + 1).split("\n").filter(Boolean);
  return lines
    .map((line) => JSON.parse(line))
    .filter((m) => m.to === contact)
    .map((m) => ({ code: m.userInputCode ?? null, link: m.urlWithLinkCode ?? null }));
}
async function nextMessage(contact, after) {
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    const messages = messagesTo(contact);
    if (messages.length > after) return messages[messages.length - 1];
    check(Date.now() < deadline, `no console line for ${contact} within ${STEP_TIMEOUT} ms (in ${CONSOLE_LOG})`);
    await sleep(100);
  }
}

// Every request the page makes to the API, with its response status.
function recordApi(page) {
  const log = [];
  page.on("response", (response) => {
    const request = response.request();
    if (!request.url().startsWith(API_URL) || request.method() === "OPTIONS") return;
    log.push({
      path: new URL(request.url()).pathname,
      method: request.method(),
      headers: request.headers(),
      status: response.status(),
    });
  });
  return log;
}
const calls = (log, path) => log.filter((c) => c.path === path);

async function waitStep(page, step) {
  try {
    await page.waitForSelector(`body[data-step="${step}"]`, { timeout: STEP_TIMEOUT });
  } catch {
    const error = await page.locator("#error").textContent().catch(() => "");
    const now = await page.evaluate(() => document.body.dataset.step).catch(() => "?");
    throw new Failure(`page did not reach "${step}" (at "${now}", error text: ${JSON.stringify(error)})`);
  }
}

// Waits until the page's #error or #info text matches; a timeout reports what the page shows.
async function waitText(page, id, pattern) {
  try {
    await page.waitForFunction(
      ([id, source]) => new RegExp(source).test(document.getElementById(id).textContent),
      [id, pattern.source],
    );
  } catch {
    const error = await page.locator("#error").textContent().catch(() => "?");
    const info = await page.locator("#info").textContent().catch(() => "?");
    throw new Failure(`#${id} never matched ${pattern} (error: ${JSON.stringify(error)}, info: ${JSON.stringify(info)})`);
  }
}

async function openPage(context, transfer, tenant = "public") {
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  const api = recordApi(page);
  await page.goto(`${WEBSITE_URL}/?transfer=${transfer}&tenant=${tenant}`);
  await page.waitForSelector('body[data-ready="true"]');
  check(pageErrors.length === 0, `page errors: ${pageErrors.join("; ")}`);
  equal(await page.evaluate(() => document.body.dataset.transfer), transfer, "page transfer method");
  equal(await page.evaluate(() => document.body.dataset.tenant), tenant, "page tenant");
  await waitStep(page, "contact-step");
  return { page, api, pageErrors };
}

async function assertSignedIn(page, context, api, transfer) {
  await waitStep(page, "signed-in");
  const shownUser = (await page.locator("#user-id").textContent()).trim();
  check(/^[0-9a-f-]{36}$/.test(shownUser), `user id shown is not a user id: ${JSON.stringify(shownUser)}`);
  equal(await page.evaluate(() => supertokensSession.getUserId()), shownUser, "getUserId() vs the page");
  equal(await page.evaluate(() => supertokensSession.doesSessionExist()), true, "doesSessionExist()");
  const handle = (await page.locator("#session-handle").textContent()).trim();
  check(handle.length > 0, "no session handle shown");
  const info = calls(api, "/sessioninfo").at(-1);
  check(info && info.status === 200, "/sessioninfo was not answered 200");

  const cookies = await context.cookies(API_URL);
  const accessCookie = cookies.find((c) => c.name === "sAccessToken");
  if (transfer === "cookie") {
    check(accessCookie && accessCookie.httpOnly, "cookie mode: no HttpOnly sAccessToken cookie for the API");
    equal(accessCookie.path, "/", "cookie mode: sAccessToken path");
    const refreshCookie = (await context.cookies()).find((c) => c.name === "sRefreshToken");
    check(refreshCookie && refreshCookie.httpOnly, "cookie mode: no HttpOnly sRefreshToken cookie");
    equal(refreshCookie.path, "/auth/session/refresh", "cookie mode: sRefreshToken path");
  } else {
    check(!accessCookie, "header mode: the backend set an sAccessToken cookie");
    const frontCookies = await page.evaluate(() => document.cookie);
    check(/st-access-token=/.test(frontCookies), "header mode: the frontend keeps no st-access-token");
  }
  return { userId: shownUser, handle };
}

async function accessToken(page, context, transfer) {
  if (transfer === "cookie") {
    return (await context.cookies(API_URL)).find((c) => c.name === "sAccessToken")?.value;
  }
  return page.evaluate(() => /(?:^|; )st-access-token=([^;]*)/.exec(document.cookie)?.[1]);
}

// With a short access-token lifetime: wait until it has expired, call the API and see the
// frontend SDK refresh by itself. Otherwise: ask it to refresh.
async function assertRefresh(page, context, api, transfer, userId) {
  const before = await accessToken(page, context, transfer);
  check(before, "no access token before the refresh");
  const refreshesBefore = calls(api, "/auth/session/refresh").filter((c) => c.status === 200).length;
  if (LIFETIME !== null) {
    const payload = await page.evaluate(() => supertokensSession.getAccessTokenPayloadSecurely());
    check(typeof payload.exp === "number", "access token payload has no numeric exp");
    const lifetime = payload.exp - payload.iat;
    equal(lifetime, LIFETIME, "access token lifetime (exp - iat)");
    const waitMs = payload.exp * 1000 - Date.now() + 1500;
    if (waitMs > 0) await sleep(waitMs);
    const start = api.length;
    await page.click("#reload-info");
    const deadline = Date.now() + STEP_TIMEOUT;
    const okInfo = () => api.slice(start).findIndex((c) => c.path === "/sessioninfo" && c.status === 200);
    while (okInfo() < 0) {
      check(Date.now() < deadline, "no /sessioninfo answered 200 after the access token expired");
      await sleep(100);
    }
    const refresh = api.slice(start).findIndex((c) => c.path === "/auth/session/refresh" && c.status === 200);
    check(refresh >= 0, "the frontend SDK did not refresh the expired session");
    check(refresh < okInfo(), "the expired access token was accepted by /sessioninfo before any refresh");
  } else {
    equal(await page.evaluate(() => supertokensSession.attemptRefreshingSession()), true, "attemptRefreshingSession()");
    const refreshes = calls(api, "/auth/session/refresh").filter((c) => c.status === 200).length;
    check(refreshes > refreshesBefore, "no refresh call answered 200");
    await page.click("#reload-info");
  }
  const refresh = calls(api, "/auth/session/refresh").filter((c) => c.status === 200).at(-1);
  equal(refresh.headers["rid"], "session", "refresh: rid header");
  if (transfer === "header") {
    check(/^Bearer \S+/.test(refresh.headers["authorization"] || ""), "header mode: refresh without a Bearer token");
  }
  await waitStep(page, "signed-in");
  equal((await page.locator("#user-id").textContent()).trim(), userId, "user after the refresh");
  const after = await accessToken(page, context, transfer);
  check(after && after !== before, "the access token did not change with the refresh");
}

async function assertSignOut(page, context, api) {
  await page.click("#signout");
  await waitStep(page, "contact-step");
  const signout = calls(api, "/auth/signout").at(-1);
  check(signout && signout.status === 200, `sign-out was not answered 200 (${signout && signout.status})`);
  const left = (await context.cookies()).filter((c) => ["sAccessToken", "sRefreshToken"].includes(c.name));
  equal(left.map((c) => c.name).join(","), "", "token cookies left after sign-out");
  equal(await page.evaluate(() => supertokensSession.doesSessionExist()), false, "doesSessionExist() after sign-out");
  const status = await page.evaluate(async (url) => (await fetch(url + "/sessioninfo")).status, API_URL);
  equal(status, 401, "/sessioninfo after sign-out");
}

// Enters a contact on the page, asks for a code, and returns the console message it caused.
async function askForCode(page, contact) {
  const seen = messagesTo(contact).length;
  await page.fill("#contact", contact);
  await page.click("#send");
  await waitStep(page, "code-step");
  return nextMessage(contact, seen);
}

async function phoneFlow(browser, transfer) {
  const context = await browser.newContext();
  try {
    const { page, api, pageErrors } = await openPage(context, transfer);
    const { code } = await askForCode(page, newPhone());
    const createCode = calls(api, "/auth/signinup/code").at(-1);
    equal(createCode.headers["rid"], "passwordless", "createCode: rid header");
    check(/^\d{6}$/.test(code || ""), `console code is not 6 digits: ${code}`);

    const wrong = code.slice(0, 5) + String((Number(code[5]) + 1) % 10);
    await page.fill("#code", wrong);
    await page.click("#verify");
    await waitText(page, "error", /attempt \d+ of \d+/);
    equal((await page.locator("#error").textContent()).trim(), "Wrong code: attempt 1 of 5", "wrong code message");

    await page.fill("#code", code);
    await page.click("#verify");
    const { userId } = await assertSignedIn(page, context, api, transfer);
    const consume = calls(api, "/auth/signinup/code/consume").at(-1);
    equal(consume.headers["st-auth-mode"], transfer, "consume: st-auth-mode header");
    const info = calls(api, "/sessioninfo").at(-1);
    equal(info.headers["rid"], "anti-csrf", "app call through the interceptor: rid header");

    await assertRefresh(page, context, api, transfer, userId);
    await assertSignOut(page, context, api);
    check(pageErrors.length === 0, `page errors: ${pageErrors.join("; ")}`);
  } finally {
    await context.close();
  }
}

// Clicks a button of the signed-in view (the page's `actions`) and returns the answer it shows.
async function action(page, label) {
  const before = await page.evaluate(() => document.getElementById("action-result").textContent);
  await page.getByRole("button", { name: label }).click();
  await page.waitForFunction((old) => {
    const text = document.getElementById("action-result").textContent;
    return text !== old && document.body.dataset.step === "signed-in";
  }, before);
  await waitStep(page, "signed-in");
  const text = await page.evaluate(() => document.getElementById("action-result").textContent);
  const [first, ...rest] = text.split("\n");
  const status = Number(/: (\d+)$/.exec(first)?.[1]);
  let body = null;
  try { body = JSON.parse(rest.join("\n")); } catch { body = rest.join("\n"); }
  return { status, body };
}

// What web-js's own claim check says of the admin role (UserRoles bundle): the failing ids.
async function adminCheck(page) {
  return page.evaluate(async () => {
    const UserRoles = supertokensUserRoles.default || supertokensUserRoles;
    const failures = await supertokensSession.validateClaims({
      overrideGlobalClaimValidators: () => [UserRoles.UserRoleClaim.validators.includes("admin")],
    });
    return failures.map((f) => f.id);
  });
}

// The roles example: signed in without a role, `GET /admin` is refused with the 403 web-js
// reads (claimValidationErrors[0].id = st-role) and web-js's own check fails too; the demo grant
// refreshes the roles in the session, then `GET /admin` answers 200 and web-js's check passes.
async function rolesFlow(browser, transfer) {
  const context = await browser.newContext();
  try {
    const { page, api, pageErrors } = await openPage(context, transfer);
    const { code } = await askForCode(page, newPhone());
    await page.fill("#code", code);
    await page.click("#verify");
    const { userId } = await assertSignedIn(page, context, api, transfer);

    const refused = await action(page, "Open the admin area");
    equal(refused.status, 403, "GET /admin before the grant");
    equal(refused.body.message, "invalid claim", "403 message");
    equal(refused.body.claimValidationErrors?.[0]?.id, "st-role", "claimValidationErrors[0].id");
    equal(JSON.stringify(refused.body.claimValidationErrors[0].reason),
      JSON.stringify({ actualValue: [], expectedToInclude: "admin", message: "wrong value" }), "403 reason");
    equal(JSON.stringify(await adminCheck(page)), JSON.stringify(["st-role"]), "web-js validateClaims before the grant");

    const granted = await action(page, "Make me an admin (demo)");
    equal(granted.status, 200, "POST /demo/grant-admin");
    equal(JSON.stringify(granted.body.roles), JSON.stringify(["admin"]), "roles after the grant");
    const admitted = await action(page, "Open the admin area");
    equal(admitted.status, 200, "GET /admin after the grant");
    equal(JSON.stringify(admitted.body), JSON.stringify({ admin: true, userId }), "GET /admin body");
    equal(JSON.stringify(await adminCheck(page)), "[]", "web-js validateClaims after the grant");
    const roles = await page.evaluate(() =>
      supertokensSession.getClaimValue({ claim: (supertokensUserRoles.default || supertokensUserRoles).UserRoleClaim }));
    equal(JSON.stringify(roles), JSON.stringify(["admin"]), "web-js getClaimValue(UserRoleClaim)");
    const grant = calls(api, "/demo/grant-admin").at(-1);
    equal(grant.headers["rid"], "anti-csrf", "grant through the interceptor: rid header");

    await assertSignOut(page, context, api);
    check(pageErrors.length === 0, `page errors: ${pageErrors.join("; ")}`);
  } finally {
    await context.close();
  }
}

// Web-js's Multitenancy recipe on tenant `customer1` (which the suite created in the core):
// every passwordless call goes to /auth/customer1/…, and the session is the tenant's.
async function tenantFlow(browser) {
  const context = await browser.newContext();
  try {
    const tenant = "customer1";
    const { page, api, pageErrors } = await openPage(context, "header", tenant);
    const { code } = await askForCode(page, newPhone());
    check(calls(api, `/auth/${tenant}/signinup/code`).at(-1)?.status === 200, "createCode did not go to the tenant's route");
    await page.fill("#code", code);
    await page.click("#verify");
    await assertSignedIn(page, context, api, "header");
    check(calls(api, `/auth/${tenant}/signinup/code/consume`).at(-1)?.status === 200, "consume did not go to the tenant's route");
    equal((await page.locator("#tenant-id").textContent()).trim(), tenant, "/sessioninfo tenantId");
    const payload = await page.evaluate(() => supertokensSession.getAccessTokenPayloadSecurely());
    equal(payload.tId, tenant, "access token tId");
    await assertSignOut(page, context, api);
    check(pageErrors.length === 0, `page errors: ${pageErrors.join("; ")}`);
  } finally {
    await context.close();
  }
}

async function emailLinkFlow(browser, transfer) {
  const context = await browser.newContext();
  try {
    const { page, api, pageErrors } = await openPage(context, transfer);
    const { link } = await askForCode(page, newEmail());
    check(link && link.startsWith(`${WEBSITE_URL}/auth/verify?preAuthSessionId=`), `unexpected magic link: ${link}`);
    check(/[?&]tenantId=public(&|#)/.test(link) && /#[A-Za-z0-9_-]+=*$/.test(link), `magic link lacks tenantId or link code: ${link}`);

    await page.goto(link);
    const { userId } = await assertSignedIn(page, context, api, transfer);
    const consume = calls(api, "/auth/signinup/code/consume").at(-1);
    equal(consume.status, 200, "consume with the link code");
    await assertRefresh(page, context, api, transfer, userId);
    await assertSignOut(page, context, api);
    check(pageErrors.length === 0, `page errors: ${pageErrors.join("; ")}`);
  } finally {
    await context.close();
  }
}

async function phoneRestartFlow(browser) {
  const context = await browser.newContext();
  try {
    const { page, api, pageErrors } = await openPage(context, "cookie");
    const phone = newPhone();
    const { code } = await askForCode(page, phone);
    const wrong = code.slice(0, 5) + String((Number(code[5]) + 1) % 10);
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      await page.fill("#code", wrong);
      await page.click("#verify");
      await waitText(page, "error", new RegExp(`attempt ${attempt} of 5`));
    }
    await page.fill("#code", wrong);
    await page.click("#verify");
    await waitStep(page, "contact-step");
    check(/start again/.test(await page.locator("#error").textContent()), "no restart message after the fifth wrong code");
    equal(
      await page.evaluate(async () => (await supertokensPasswordless.getLoginAttemptInfo()) === undefined),
      true,
      "login attempt cleared after RESTART_FLOW_ERROR",
    );

    const seen = messagesTo(phone).length;
    const second = await askForCode(page, phone);
    await page.click("#resend");
    let latest = second.code;
    if (RESEND_INTERVAL) {
      // Our SDK refuses a resend within the interval (429 with a message the page shows);
      // the code already sent stays good.
      await waitText(page, "error", /wait \d+ seconds/);
      equal(calls(api, "/auth/signinup/code/resend").at(-1).status, 429, "early resend: status");
      await sleep(300);
      equal(messagesTo(phone).length, seen + 1, "messages after a refused resend");
    } else {
      await waitText(page, "info", /new code/);
      const third = await nextMessage(phone, seen + 1);
      check(third.code !== second.code, "the resent code equals the previous one");
      equal(calls(api, "/auth/signinup/code/resend").at(-1).status, 200, "resend: status");
      latest = third.code;
    }
    await page.fill("#code", latest);
    await page.click("#verify");
    await assertSignedIn(page, context, api, "cookie");
    check(pageErrors.length === 0, `page errors: ${pageErrors.join("; ")}`);
  } finally {
    await context.close();
  }
}

// The README's curl walk-through, step by step, as an API or mobile client does it.
async function walkthrough() {
  const json = { "content-type": "application/json" };
  const phone = newPhone();
  const seen = messagesTo(phone).length;
  const created = await fetch(API_URL + "/auth/signinup/code", {
    method: "POST",
    headers: { rid: "passwordless", "st-auth-mode": "header", ...json },
    body: JSON.stringify({ phoneNumber: phone }),
  });
  const { status, deviceId, preAuthSessionId, flowType } = await created.json();
  equal(status, "OK", "1 create code");
  check(deviceId && preAuthSessionId && flowType, "1 create code: deviceId, preAuthSessionId, flowType");
  const { code } = await nextMessage(phone, seen);
  check(/^\d{6}$/.test(code || ""), "2 the console shows a 6-digit code");

  const consumed = await fetch(API_URL + "/auth/signinup/code/consume", {
    method: "POST",
    headers: { rid: "passwordless", "st-auth-mode": "header", ...json },
    body: JSON.stringify({ deviceId, preAuthSessionId, userInputCode: code }),
  });
  const body = await consumed.json();
  equal(body.status, "OK", "3 consume");
  equal(body.createdNewRecipeUser, true, "3 consume: new user");
  let access = consumed.headers.get("st-access-token");
  let refresh = consumed.headers.get("st-refresh-token");
  check(access && refresh && consumed.headers.get("front-token"), "3 consume: token headers");

  const info = await fetch(API_URL + "/sessioninfo", { headers: { authorization: `Bearer ${access}` } });
  equal(info.status, 200, "4 /sessioninfo with the access token");
  const who = await info.json();
  equal(who.userId, body.user.id, "4 /sessioninfo userId");
  check(who.sessionHandle && who.accessTokenPayload && who.accessTokenPayload.sub === body.user.id, "4 /sessioninfo fields");
  equal((await fetch(API_URL + "/sessioninfo")).status, 401, "4 /sessioninfo without a token");

  const refreshed = await fetch(API_URL + "/auth/session/refresh", {
    method: "POST",
    headers: { rid: "session", "st-auth-mode": "header", authorization: `Bearer ${refresh}` },
  });
  equal(refreshed.status, 200, "5 refresh");
  equal(await refreshed.text(), "{}", "5 refresh: body");
  access = refreshed.headers.get("st-access-token");
  refresh = refreshed.headers.get("st-refresh-token");
  check(access && refresh, "5 refresh: new tokens");

  const out = await fetch(API_URL + "/auth/signout", {
    method: "POST",
    headers: { rid: "session", authorization: `Bearer ${access}` },
  });
  equal(out.status, 200, "6 sign out");
  equal((await out.json()).status, "OK", "6 sign out: body");
  const after = await fetch(API_URL + "/sessioninfo", { headers: { authorization: `Bearer ${access}` } });
  equal(after.status, 401, "6 /sessioninfo with the refreshed access token after sign-out");
}

// Raw HTTP, header mode: the scenario both reference backends agree on.
async function theft() {
  const base = { "content-type": "application/json", "st-auth-mode": "header" };
  const post = (path, headers, body) =>
    fetch(API_URL + path, { method: "POST", headers: { ...base, ...headers }, body: body && JSON.stringify(body) });
  const phone = newPhone();
  const seen = messagesTo(phone).length;
  const created = await post("/auth/signinup/code", { rid: "passwordless" }, { phoneNumber: phone });
  equal(created.status, 200, "create code: status");
  const { deviceId, preAuthSessionId } = await created.json();
  const { code } = await nextMessage(phone, seen);

  const consumed = await post("/auth/signinup/code/consume", { rid: "passwordless" }, { deviceId, preAuthSessionId, userInputCode: code });
  equal(consumed.status, 200, "1 consume: status");
  equal((await consumed.json()).status, "OK", "1 consume: body status");
  const at0 = consumed.headers.get("st-access-token");
  const rt0 = consumed.headers.get("st-refresh-token");
  check(at0 && rt0, "1 consume: no st-access-token / st-refresh-token headers");
  check(consumed.headers.get("front-token"), "1 consume: no front-token header");

  const first = await fetch(API_URL + "/sessioninfo", { headers: { authorization: `Bearer ${at0}` } });
  equal(first.status, 200, "AT0 on /sessioninfo");

  const refreshed = await post("/auth/session/refresh", { rid: "session", authorization: `Bearer ${rt0}` });
  equal(refreshed.status, 200, "2 refresh with RT0: status");
  const at1 = refreshed.headers.get("st-access-token");
  const rt1 = refreshed.headers.get("st-refresh-token");
  check(at1 && rt1 && at1 !== at0 && rt1 !== rt0, "2 refresh: no new tokens");

  const used = await fetch(API_URL + "/sessioninfo", { headers: { authorization: `Bearer ${at1}` } });
  equal(used.status, 200, "3 first use of AT1: status");
  const promoted = used.headers.get("st-access-token");
  check(promoted && promoted !== at1, "3 first use of AT1: no new st-access-token (the core promotes RT1 on verify)");

  const stolen = await post("/auth/session/refresh", { rid: "session", authorization: `Bearer ${rt0}` });
  equal(stolen.status, 401, "4 refresh with RT0 again: status");
  equal((await stolen.json()).message, "token theft detected", "4 refresh with RT0 again: message");
  equal(stolen.headers.get("st-access-token"), "", "4: st-access-token cleared");
  equal(stolen.headers.get("st-refresh-token"), "", "4: st-refresh-token cleared");

  const revoked = await post("/auth/session/refresh", { rid: "session", authorization: `Bearer ${rt1}` });
  equal(revoked.status, 401, "5 refresh with RT1: status");
  equal((await revoked.json()).message, "unauthorised", "5 refresh with RT1: message");
}

// The custom example, as an API client in header mode: its own routes beside the SDK's.
async function ownApp() {
  const base = { "content-type": "application/json", "st-auth-mode": "header" };
  const post = (path, headers, body) =>
    fetch(API_URL + path, { method: "POST", headers: { ...base, ...headers }, body: body && JSON.stringify(body) });
  const get = (path, token) => fetch(API_URL + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const signIn = async (consumeBody, step) => {
    const consumed = await post("/auth/signinup/code/consume", { rid: "passwordless" }, consumeBody);
    equal((await consumed.json()).status, "OK", `${step}: consume`);
    const tokens = [consumed.headers.get("st-access-token"), consumed.headers.get("st-refresh-token")];
    check(tokens[0] && tokens[1], `${step}: token headers`);
    return tokens;
  };
  const email = newEmail();

  let seen = messagesTo(email).length;
  const first = await (await post("/auth/signinup/code", { rid: "passwordless" }, { email })).json();
  equal(first.status, "OK", "1 create code");
  const { link } = await nextMessage(email, seen);
  check(link && link.includes("#"), "1 the outbox has a magic link");
  const linkCode = link.slice(link.indexOf("#") + 1);
  const [firstAccess] = await signIn({ preAuthSessionId: first.preAuthSessionId, linkCode }, "1 by link");

  seen = messagesTo(email).length;
  const second = await (await post("/auth/signinup/code", { rid: "passwordless" }, { email })).json();
  const { code } = await nextMessage(email, seen);
  check(/^\d{6}$/.test(code || ""), "2 the outbox has a 6-digit code");
  const { deviceId, preAuthSessionId } = second;
  let [access, refresh] = await signIn({ deviceId, preAuthSessionId, userInputCode: code }, "2 by code");

  const me = await get("/me", access);
  equal(me.status, 200, "3 /me");
  const who = await me.json();
  equal(JSON.stringify(who.emails), JSON.stringify([email]), "3 /me emails");
  equal((await get("/me")).status, 401, "3 /me without a session");
  equal((await (await get("/maybe")).json()).signedIn, false, "3 /maybe without a session");
  equal((await (await get("/maybe", access)).json()).userId, who.userId, "3 /maybe with a session");

  const refreshed = await post("/auth/session/refresh", { rid: "session", authorization: `Bearer ${refresh}` });
  equal(refreshed.status, 200, "4 refresh");
  access = refreshed.headers.get("st-access-token");
  check(access, "4 refresh: a new access token");

  const out = await post("/logout-everywhere", { rid: "session", authorization: `Bearer ${access}` });
  equal(out.status, 200, "5 /logout-everywhere");
  equal((await out.json()).revokedSessions, 2, "5 both sessions revoked");
  equal(out.headers.get("st-access-token"), "", "5 no new access token: cleared");
  equal(out.headers.get("st-refresh-token"), "", "5 refresh token cleared");
  equal(out.headers.get("front-token"), "remove", "5 front-token removed");
  equal((await get("/me", access)).status, 401, "6 /me with the refreshed token (check_database)");
  equal((await get("/me", firstAccess)).status, 401, "6 /me with the first session's token");
}

// In a process of its own, since it installs browser globals.
function jsdomFlow() {
  return new Promise((resolve, reject) => {
    const script = new URL("./jsdom-flow.cjs", import.meta.url).pathname;
    execFile(process.execPath, [script], { timeout: FLOW_TIMEOUT - 5_000 }, (error, stdout, stderr) => {
      if (error) reject(new Failure(`jsdom flow: ${(stderr || String(error)).trim()}`));
      else resolve();
    });
  });
}

const FLOWS = {
  "phone-cookie": (b) => phoneFlow(b, "cookie"),
  "phone-header": (b) => phoneFlow(b, "header"),
  "email-link-cookie": (b) => emailLinkFlow(b, "cookie"),
  "email-link-header": (b) => emailLinkFlow(b, "header"),
  "phone-restart": (b) => phoneRestartFlow(b),
  "phone-tenant": (b) => tenantFlow(b),
  "roles-cookie": (b) => rolesFlow(b, "cookie"),
  "roles-header": (b) => rolesFlow(b, "header"),
  theft: () => theft(),
  walkthrough: () => walkthrough(),
  "jsdom-header": () => jsdomFlow(),
  "own-app": () => ownApp(),
};

async function main() {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !FLOWS[n]);
  if (names.length === 0 || unknown.length) {
    console.error(`usage: node run.mjs <flow>...  (flows: ${Object.keys(FLOWS).join(", ")})`);
    process.exit(2);
  }
  let browser = null;
  if (names.some((n) => !["theft", "walkthrough", "jsdom-header", "own-app"].includes(n))) {
    browser = await launchChromium();
  }
  await runFlows(names, (name) => FLOWS[name](browser), {
    timeoutMs: FLOW_TIMEOUT,
    cleanup: async () => browser && (await browser.close()),
  });
}

main().catch(crashed);
