// Drives the prebuilt UI of supertokens-auth-react (the app in app.jsx, built by build.mjs and
// served by an example through SUPERTOKENS_WEBSITE_DIR) in Debian's headless chromium through
// playwright-core, as a person would, against the example's API.
//
//   node e2e/prebuilt-ui/run.mjs <flow>...
//
// Flows (<method>-<transfer>, transfer being cookie or header):
//   phone-cookie, phone-header, email-cookie, email-header
//       the sign-in form → a wrong code (the UI shows "Invalid OTP") → resend (the UI says it
//       resent; a new code arrives) → the new code → the home page, where /sessioninfo answers
//       with the user → sign out → back on the sign-in form, /sessioninfo 401, no tokens left
//   link-cookie   e-mail → the magic link opened in the browser → the UI's verify page signs in
//   dynamic-public, dynamic-<tenant>
//       usesDynamicLoginMethods: the UI asks /auth/<tenant>/loginmethods first and shows only
//       what the tenant allows (public: e-mail, with a switch to phone; any other tenant is
//       one with only e-mail factors: e-mail alone), then an e-mail sign-in on that tenant
//
// Environment: WEBSITE_URL (default http://localhost:3000), API_URL (http://localhost:3001),
// CONSOLE_LOG (the example's stdout, with the console delivery lines), CONTACT_METHOD (the
// example's: PHONE, EMAIL or EMAIL_OR_PHONE; default EMAIL_OR_PHONE), RESEND_GAP_SECS (the UI's
// wait before it offers a resend; default 2), SHOTS (a directory for a screenshot per step; the
// suite keeps it when a flow fails), RESULTS (receives {"passed":N,"failed":N}), CHROMIUM.
//
// Prints one line per flow; exits non-zero when a flow fails.

import fs from "node:fs";
import path from "node:path";
import { Failure, check, crashed, equal, launchChromium, runFlows, sleep } from "../flows.mjs";

const WEBSITE_URL = process.env.WEBSITE_URL || "http://localhost:3000";
const API_URL = process.env.API_URL || "http://localhost:3001";
const CONSOLE_LOG = process.env.CONSOLE_LOG;
const CONTACT_METHOD = process.env.CONTACT_METHOD || "EMAIL_OR_PHONE";
const RESEND_GAP_SECS = Number(process.env.RESEND_GAP_SECS || 2);
const SHOTS = process.env.SHOTS;
const STEP_TIMEOUT = 15_000;
const FLOW_TIMEOUT = 60_000;

let counter = 0;
const stamp = () => `${Date.now() % 1e8}${(counter += 1)}`.slice(-8);
// US numbers in the 555-01xx fiction range are not valid for libphonenumber; 415 555 xxxx is.
const freshPhone = () => `+1415555${stamp().slice(-4)}`;
const freshEmail = () => `prebuilt-${stamp()}@example.com`;

// `[supertokens] passwordless to=<contact> code=<code|-> link=<url|->` lines of the console log.
function deliveries(contact) {
  const text = fs.existsSync(CONSOLE_LOG) ? fs.readFileSync(CONSOLE_LOG, "utf8") : "";
  return text
    .split("\n")
    .map((line) => /^\[supertokens\] passwordless to=(\S+) code=(\S+) link=(\S+)\s*$/.exec(line))
    .filter((m) => m && m[1] === contact)
    .map((m) => ({ code: m[2] === "-" ? null : m[2], link: m[3] === "-" ? null : m[3] }));
}
async function delivery(contact, seen) {
  for (const deadline = Date.now() + STEP_TIMEOUT; ; await sleep(100)) {
    const all = deliveries(contact);
    if (all.length > seen) return all.at(-1);
    check(Date.now() < deadline, `nothing delivered to ${contact} within ${STEP_TIMEOUT} ms (${CONSOLE_LOG})`);
  }
}

// One browser context per flow, with the app's settings and a log of the API calls.
class Visit {
  constructor(context, page, name) {
    Object.assign(this, { context, page, name, step: 0, api: [], errors: [] });
    page.setDefaultTimeout(STEP_TIMEOUT);
    page.on("pageerror", (e) => this.errors.push(String(e)));
    page.on("response", (response) => {
      const request = response.request();
      if (!request.url().startsWith(API_URL)) return;
      this.api.push({ method: request.method(), path: new URL(request.url()).pathname,
        status: response.status(), headers: request.headers(), allowOrigin: response.headers()["access-control-allow-origin"] });
    });
  }
  static async open(browser, name, settings) {
    const context = await browser.newContext();
    // Anything outside localhost would be a CDN or a tracker: the suite has no network for it.
    await context.route(/^https?:\/\/(?!localhost[:/]|127\.0\.0\.1[:/])/, (route) => {
      visit.errors.push(`request outside localhost: ${route.request().url()}`);
      return route.abort();
    });
    await context.addInitScript((s) => {
      window.SUPERTOKENS_UI = s;
    }, { resendGapSeconds: RESEND_GAP_SECS, contactMethod: CONTACT_METHOD, ...settings });
    const visit = new Visit(context, await context.newPage(), name);
    return visit;
  }
  // A screenshot per step, named <flow>-<n>-<step>.png.
  async shot(what) {
    this.step += 1;
    if (!SHOTS) return;
    const file = path.join(SHOTS, `${this.name}-${String(this.step).padStart(2, "0")}-${what}.png`);
    await this.page.screenshot({ path: file, fullPage: true }).catch(() => {});
  }
  calls(method, pathname) {
    return this.api.filter((c) => c.method === method && c.path === pathname);
  }
  async see(selector, what) {
    try {
      await this.page.locator(selector).first().waitFor({ state: "visible" });
    } catch {
      await this.shot(`missing-${what}`);
      // The UI renders in a shadow root, which locators (unlike innerText) look into.
      const said = await this.page.locator(ERROR).first().textContent({ timeout: 500 }).catch(() => null);
      throw new Failure(`${what} did not appear at ${this.page.url()} (the UI's error: ${JSON.stringify(said)})`);
    }
  }
  // Ends the visit; `failed` when the flow has failed already, so only that failure is reported.
  async close(failed = false) {
    if (failed) return this.context.close();
    check(this.errors.length === 0, `page errors: ${this.errors.join("; ")}`);
    const refused = this.api.filter((c) => c.method !== "OPTIONS" && c.allowOrigin !== WEBSITE_URL);
    check(refused.length === 0, `API answers without access-control-allow-origin ${WEBSITE_URL}: ${refused.map((c) => `${c.method} ${c.path}`).join(", ")}`);
    await this.context.close();
  }
}

const SUBMIT = 'button[type="submit"]';
const ERROR = '[data-supertokens~="generalError"]';
const SUCCESS = '[data-supertokens~="generalSuccess"]';
const RESEND = '[data-supertokens~="resendCodeBtn"]';
const CODE = 'input[name="userInputCode"]';

const SWITCH_TO_PHONE = "Use a Phone number";
const INPUT = { email: 'input[name="email"]', phoneNumber: 'input[name="phoneNumber_text"]' };

// What the sign-in form offers: its inputs, and "+phone" when it offers to switch to a phone
// number (the e-mail-or-phone form starts with the e-mail field).
async function formOffers(visit) {
  await visit.see(SUBMIT, "the sign-in form");
  const inputs = await visit.page.evaluate(() => {
    const names = [];
    const walk = (root) => {
      for (const el of root.querySelectorAll("*")) {
        // The phone field's visible input is <name>_text.
        if (el.tagName === "INPUT" && el.name && el.type !== "hidden") names.push(el.name.replace(/_text$/, ""));
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    return names.sort();
  });
  const switchable = await visit.page.getByText(SWITCH_TO_PHONE, { exact: true }).count();
  return [...inputs, ...(switchable ? ["+phone"] : [])].join(",");
}

// Types the contact into the form (switching to the phone field when needed) and asks for a code.
async function submitContact(visit, contact) {
  const { page } = visit;
  const seen = deliveries(contact).length;
  const offers = (await formOffers(visit)).split(",");
  let field = contact.startsWith("+") ? "phoneNumber" : "email";
  if (field === "phoneNumber" && !offers.includes(field) && offers.includes("+phone")) {
    await page.getByText(SWITCH_TO_PHONE, { exact: true }).click();
    await visit.see(INPUT.phoneNumber, "the phone field");
  } else {
    check(offers.includes(field), `the form has no ${field} field (it offers ${offers.join(",")})`);
  }
  await page.fill(INPUT[field], contact);
  await visit.shot("contact");
  await page.click(SUBMIT);
  await visit.see(CODE, "the code form");
  await visit.shot("code-form");
  return delivery(contact, seen);
}

async function signedIn(visit, tenant = "public") {
  const { page } = visit;
  await page.waitForURL(`${WEBSITE_URL}/`, { timeout: STEP_TIMEOUT }).catch(() => {});
  await visit.see('#home[data-ready="true"]', "the home page with /sessioninfo");
  await visit.shot("home");
  const userId = (await page.locator("#user-id").textContent()).trim();
  check(/^[0-9a-f-]{36}$/.test(userId), `home page shows no user id: ${JSON.stringify(userId)}`);
  equal((await page.locator("#tenant-id").textContent()).trim(), tenant, "/sessioninfo tenantId");
  equal(visit.calls("GET", "/sessioninfo").at(-1)?.status, 200, "/sessioninfo status");
  return userId;
}

async function tokens(visit) {
  const cookies = await visit.context.cookies();
  const front = await visit.page.evaluate(() => document.cookie);
  return {
    cookies: cookies.filter((c) => ["sAccessToken", "sRefreshToken"].includes(c.name)).map((c) => c.name),
    header: /st-access-token=[^;]/.test(front),
  };
}

async function signOut(visit, transfer) {
  const before = await tokens(visit);
  if (transfer === "cookie") {
    equal(before.cookies.sort().join(","), "sAccessToken,sRefreshToken", "cookie mode: token cookies");
  } else {
    equal(before.cookies.join(","), "", "header mode: token cookies set by the backend");
    check(before.header, "header mode: the frontend keeps no st-access-token");
    const consume = visit.api.filter((c) => c.path.endsWith("/signinup/code/consume")).at(-1);
    equal(consume?.headers["st-auth-mode"], "header", "consume: st-auth-mode");
    check(/^Bearer /.test(visit.calls("GET", "/sessioninfo").at(-1)?.headers.authorization || ""), "header mode: /sessioninfo without a Bearer token");
  }
  await visit.page.click("#signout");
  await visit.see(SUBMIT, "the sign-in form after signing out");
  await visit.shot("signed-out");
  equal(visit.calls("POST", "/auth/signout").at(-1)?.status, 200, "sign-out status");
  const after = await tokens(visit);
  check(after.cookies.length === 0 && !after.header, `tokens left after sign-out: ${JSON.stringify(after)}`);
  const status = await visit.page.evaluate(async (url) => (await fetch(url + "/sessioninfo")).status, API_URL);
  equal(status, 401, "/sessioninfo after sign-out");
}

async function codeFlow(browser, name, contactKind, transfer) {
  const visit = await Visit.open(browser, name, { tokenTransferMethod: transfer });
  try {
    const { page } = visit;
    await page.goto(`${WEBSITE_URL}/auth`);
    await visit.shot("form");
    const contact = contactKind === "phone" ? freshPhone() : freshEmail();
    const first = await submitContact(visit, contact);
    check(/^\d{6}$/.test(first.code || ""), `delivered code is not 6 digits: ${first.code}`);
    equal(visit.calls("POST", "/auth/signinup/code").at(-1)?.headers.rid, "passwordless", "createCode: rid");

    const wrong = first.code.slice(0, 5) + String((Number(first.code[5]) + 1) % 10);
    await page.fill(CODE, wrong);
    await page.click(SUBMIT);
    await visit.see(ERROR, "the wrong-code error");
    equal((await page.locator(ERROR).first().textContent()).trim(), "Invalid OTP", "wrong-code error text");
    await visit.shot("wrong-code");

    // The resend button is disabled for the UI's gap, then offers a resend.
    const seen = deliveries(contact).length;
    await page.locator(`${RESEND}:not([disabled])`).waitFor({ timeout: (RESEND_GAP_SECS + 10) * 1000 });
    await page.click(RESEND);
    await visit.see(SUCCESS, "the resent message");
    equal((await page.locator(SUCCESS).first().textContent()).trim(), contactKind === "phone" ? "SMS resent" : "Email resent", "resent message");
    await visit.shot("resent");
    equal(visit.calls("POST", "/auth/signinup/code/resend").at(-1)?.status, 200, "resend status");
    const second = await delivery(contact, seen);
    check(second.code && second.code !== first.code, "the resent code equals the first one");

    await page.fill(CODE, second.code);
    await page.click(SUBMIT);
    await signedIn(visit);
    await signOut(visit, transfer);
  } catch (e) {
    await visit.close(true);
    throw e;
  }
  await visit.close();
}

async function linkFlow(browser) {
  const visit = await Visit.open(browser, "link-cookie", { tokenTransferMethod: "cookie" });
  try {
    const { page } = visit;
    await page.goto(`${WEBSITE_URL}/auth`);
    const { link } = await submitContact(visit, freshEmail());
    check(link && link.startsWith(`${WEBSITE_URL}/auth/verify?preAuthSessionId=`), `unexpected magic link: ${link}`);
    await page.goto(link);
    // Opened in the browser that asked for it, the verify page signs in by itself; in another it
    // asks first.
    const cont = page.locator(SUBMIT);
    const home = page.locator('#home[data-ready="true"]');
    await Promise.race([cont.first().waitFor(), home.waitFor()]).catch(() => {});
    await visit.shot("verify");
    if (await cont.count()) await cont.first().click();
    await signedIn(visit);
    equal(visit.calls("POST", "/auth/signinup/code/consume").at(-1)?.status, 200, "consume by link: status");
    await signOut(visit, "cookie");
  } catch (e) {
    await visit.close(true);
    throw e;
  }
  await visit.close();
}

// usesDynamicLoginMethods on `tenant`: `fields` is what the form must show.
async function dynamicFlow(browser, tenant, fields) {
  const visit = await Visit.open(browser, `dynamic-${tenant}`, {
    usesDynamicLoginMethods: true,
    tenantId: tenant,
    tokenTransferMethod: "cookie",
  });
  try {
    const { page } = visit;
    await page.goto(`${WEBSITE_URL}/auth`);
    equal(await formOffers(visit), fields, "what the form offers");
    await visit.shot("form");
    const methods = visit.api.filter((c) => c.method === "GET" && /^\/auth\/([^/]+\/)?loginmethods$/.test(c.path));
    check(methods.length > 0 && methods.every((c) => c.status === 200), `loginmethods calls: ${JSON.stringify(methods.map((c) => [c.path, c.status]))}`);
    const email = freshEmail();
    const { code } = await submitContact(visit, email);
    // The public tenant's calls may leave the tenant out of the path.
    const create = visit.api.filter((c) => c.method === "POST" && c.path.endsWith("/signinup/code")).at(-1);
    const paths = tenant === "public" ? ["/auth/signinup/code", "/auth/public/signinup/code"] : [`/auth/${tenant}/signinup/code`];
    check(create?.status === 200 && paths.includes(create.path), `createCode: ${create?.path} answered ${create?.status}`);
    await page.fill(CODE, code);
    await page.click(SUBMIT);
    await signedIn(visit, tenant);
    await signOut(visit, "cookie");
  } catch (e) {
    await visit.close(true);
    throw e;
  }
  await visit.close();
}

const FLOWS = {
  "phone-cookie": (b) => codeFlow(b, "phone-cookie", "phone", "cookie"),
  "phone-header": (b) => codeFlow(b, "phone-header", "phone", "header"),
  "email-cookie": (b) => codeFlow(b, "email-cookie", "email", "cookie"),
  "email-header": (b) => codeFlow(b, "email-header", "email", "header"),
  "link-cookie": (b) => linkFlow(b),
  "dynamic-public": (b) => dynamicFlow(b, "public", "email,+phone"),
};

async function main() {
  const names = process.argv.slice(2);
  const flow = (name) => FLOWS[name] ?? (name.startsWith("dynamic-") ? (b) => dynamicFlow(b, name.slice(8), "email") : null);
  if (names.length === 0 || names.some((n) => !flow(n))) {
    console.error(`usage: node run.mjs <flow>...  (flows: ${Object.keys(FLOWS).join(", ")}, dynamic-<e-mail-only tenant>)`);
    process.exit(2);
  }
  check(CONSOLE_LOG, "CONSOLE_LOG is not set");
  const browser = await launchChromium();
  await runFlows(names, (name) => flow(name)(browser), { timeoutMs: FLOW_TIMEOUT, cleanup: () => browser.close() });
}

main().catch(crashed);
