// The official supertokens-node backend (express + cors), with our embedded core as its core:
// the conformance proof that the embedded core speaks the real Core Driver Interface.
//
// It serves the same two things as our examples, so the same browser flows run against it:
// the SuperTokens APIs under /auth plus GET /sessioninfo on API_URL, and the login page of
// examples/page/index.html on WEBSITE_URL. Codes and links are captured by a delivery override
// and printed in our console delivery's format, one line each:
//   [supertokens] passwordless to=<contact> code=<code or -> link=<url or ->
// and are also listed by GET /test/codes?contact=<email or phone>.
//
// Environment: CORE_URL (default http://127.0.0.1:3567), CORE_API_KEY, API_URL (default
// http://localhost:3101), WEBSITE_URL (default http://localhost:3100), SUPERTOKENS_WEBJS_DIR
// (the bundle/ folder of supertokens-web-js; default: the one in node_modules).
"use strict";

const fs = require("fs");
const path = require("path");
const express = require("express");
const cors = require("cors");
const supertokens = require("supertokens-node");
const Session = require("supertokens-node/recipe/session");
const Passwordless = require("supertokens-node/recipe/passwordless");
const { middleware, errorHandler } = require("supertokens-node/framework/express");
const { verifySession } = require("supertokens-node/recipe/session/framework/express");

const CORE_URL = process.env.CORE_URL || "http://127.0.0.1:3567";
const API_URL = process.env.API_URL || "http://localhost:3101";
const WEBSITE_URL = process.env.WEBSITE_URL || "http://localhost:3100";
const WEBJS_DIR =
  process.env.SUPERTOKENS_WEBJS_DIR || path.join(__dirname, "node_modules/supertokens-web-js/bundle");
const PAGE = path.join(__dirname, "../examples/page/index.html");
const FLOW_TYPE = "USER_INPUT_CODE_AND_MAGIC_LINK";
const CONTACT_METHOD = "EMAIL_OR_PHONE";

const codes = [];
function capture(contact, input) {
  codes.push({
    contact,
    userInputCode: input.userInputCode,
    urlWithLinkCode: input.urlWithLinkCode,
    preAuthSessionId: input.preAuthSessionId,
    codeLifetime: input.codeLifetime,
  });
  const code = input.userInputCode || "-";
  const link = input.urlWithLinkCode || "-";
  process.stdout.write(`[supertokens] passwordless to=${contact} code=${code} link=${link}\n`);
}

supertokens.init({
  framework: "express",
  supertokens: { connectionURI: CORE_URL, apiKey: process.env.CORE_API_KEY || undefined },
  appInfo: {
    appName: "node-conformance",
    apiDomain: API_URL,
    websiteDomain: WEBSITE_URL,
    apiBasePath: "/auth",
    websiteBasePath: "/auth",
  },
  recipeList: [
    Passwordless.init({
      flowType: FLOW_TYPE,
      contactMethod: CONTACT_METHOD,
      emailDelivery: { service: { sendEmail: async (input) => capture(input.email, input) } },
      smsDelivery: { service: { sendSms: async (input) => capture(input.phoneNumber, input) } },
    }),
    Session.init({ cookieSecure: false }),
  ],
});

const api = express();
api.use(
  cors({
    origin: WEBSITE_URL,
    allowedHeaders: ["content-type", ...supertokens.getAllCORSHeaders()],
    credentials: true,
  }),
);
api.use(middleware());
api.get("/sessioninfo", verifySession(), (req, res) => {
  const session = req.session;
  res.json({
    userId: session.getUserId(),
    sessionHandle: session.getHandle(),
    tenantId: session.getTenantId(),
    accessTokenPayload: session.getAccessTokenPayload(),
  });
});
api.get("/test/codes", (req, res) => {
  res.json({ codes: codes.filter((c) => c.contact === req.query.contact) });
});
api.use(errorHandler());
api.use((err, req, res, next) => {
  process.stderr.write(`error: ${err && err.stack ? err.stack : err}\n`);
  res.status(500).json({ message: String(err && err.message ? err.message : err) });
});

// The login page, for every path (a magic link opens /auth/verify), with the bundles from WEBJS_DIR.
function pageHtml() {
  const bundles = fs.readdirSync(WEBJS_DIR);
  const pick = (prefix) => {
    const name = bundles.find((f) => f.startsWith(prefix + ".") && f.endsWith(".js"));
    if (!name) throw new Error(`no ${prefix}.*.js in ${WEBJS_DIR}`);
    return name;
  };
  const settings = JSON.stringify({
    appName: "node-conformance",
    apiDomain: API_URL,
    apiBasePath: "/auth",
    contactMethod: CONTACT_METHOD,
    flowType: FLOW_TYPE,
  }).replace(/<\//g, "<\\/");
  const scripts = ["website", "supertokens", "session", "passwordless", "multitenancy", "userroles"]
    .map((prefix) => `<script src="/webjs/${pick(prefix)}"></script>`)
    .join("\n");
  return fs
    .readFileSync(PAGE, "utf8")
    .replace("<!-- supertokens-page-config -->", `<script>window.SUPERTOKENS_PAGE = ${settings};</script>\n${scripts}`);
}
const html = pageHtml();
const website = express();
website.use("/webjs", express.static(WEBJS_DIR, { fallthrough: false }));
website.use((req, res) => res.type("html").send(html));

function listen(app, url) {
  const port = Number(new URL(url).port);
  return new Promise((resolve, reject) => {
    const server = app.listen(port, "127.0.0.1", () => resolve(server));
    server.on("error", reject);
  });
}

Promise.all([listen(api, API_URL), listen(website, WEBSITE_URL)]).then(
  () => {
    const { version } = JSON.parse(
      fs.readFileSync(path.join(__dirname, "node_modules/supertokens-node/package.json"), "utf8"),
    );
    process.stdout.write(`supertokens-node ${version}: API on ${API_URL}, page on ${WEBSITE_URL}, core ${CORE_URL}\n`);
  },
  (e) => {
    process.stderr.write(`cannot listen: ${e.message}\n`);
    process.exit(1);
  },
);
