// The supertokens-node side of scripts/bench/compare.sh: supertokens-node with express, serving
// the routes our bench-app (tests/src/bin/bench-app.rs) serves, so both are measured on the same
// requests:
//   GET /sessioninfo  verifySession(), the session's user id, handle, tenant and payload
//   GET /open         an answer of the same shape and size with fixed values, no session check
//   /auth/...         passwordless by e-mail with a one-time code, tokens in headers
// Every code is 123456 (getCustomUserInputCode) and e-mails go nowhere: never configure a real
// app like this. supertokens-node has no send limits of its own.
//
// Environment: PORT (required), CORE_URL (the embedded-core server). Listens on 127.0.0.1 only.
"use strict";

const express = require("express");
const supertokens = require("supertokens-node");
const Session = require("supertokens-node/recipe/session");
const Passwordless = require("supertokens-node/recipe/passwordless");
const { middleware, errorHandler } = require("supertokens-node/framework/express");
const { verifySession } = require("supertokens-node/recipe/session/framework/express");

const PORT = Number(process.env.PORT);
const CORE_URL = process.env.CORE_URL;
if (!PORT || !CORE_URL) {
  process.stderr.write("usage: PORT=<port> CORE_URL=<core url> node bench-node.js\n");
  process.exit(2);
}

supertokens.init({
  framework: "express",
  supertokens: { connectionURI: CORE_URL },
  appInfo: {
    appName: "bench",
    apiDomain: "http://localhost:3001",
    websiteDomain: "http://localhost:3000",
    apiBasePath: "/auth",
    websiteBasePath: "/auth",
  },
  recipeList: [
    Passwordless.init({
      flowType: "USER_INPUT_CODE",
      contactMethod: "EMAIL",
      getCustomUserInputCode: () => "123456",
      emailDelivery: { service: { sendEmail: async () => {} } },
    }),
    Session.init({ getTokenTransferMethod: () => "header" }),
  ],
});

const app = express();
app.use(middleware());
app.get("/sessioninfo", verifySession(), (req, res) => {
  const session = req.session;
  res.json({
    userId: session.getUserId(),
    sessionHandle: session.getHandle(),
    tenantId: session.getTenantId(),
    accessTokenPayload: session.getAccessTokenPayload(),
  });
});
// A payload shaped like the core's (the same keys, values of the same lengths).
const ID = "00000000-0000-4000-8000-000000000000";
const OPEN_PAYLOAD = {
  antiCsrfToken: null,
  exp: 1700003600,
  iat: 1700000000,
  iss: "http://localhost:3001/auth",
  parentRefreshTokenHash1: null,
  refreshTokenHash1: "0".repeat(64),
  rsub: ID,
  sessionHandle: ID,
  sub: ID,
  tId: "public",
};
app.get("/open", (req, res) => {
  res.json({ userId: ID, sessionHandle: ID, tenantId: "public", accessTokenPayload: OPEN_PAYLOAD });
});
app.use(errorHandler());
app.use((err, req, res, next) => {
  process.stderr.write(`error: ${err && err.stack ? err.stack : err}\n`);
  res.status(500).json({ message: "internal error" });
});

const server = app.listen(PORT, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${PORT}\n`);
});
server.on("error", (e) => {
  process.stderr.write(`cannot listen on 127.0.0.1:${PORT}: ${e.message}\n`);
  process.exit(1);
});
