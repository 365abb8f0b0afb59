// supertokens-node's answers to claim checks, for the tests that compare ours with them
// (tests/tests/it/claims_node.rs). Sessions in header mode; UserRoles on; the core is CORE_URL.
//
//   POST /session?userId=<id>    creates a session in the public tenant: {"accessToken": …}
//   GET  /check/<name>           verifies the bearer token with the checks named <name>
//
// It listens on 127.0.0.1 on a free port and prints `listening <port>` once ready; it stops
// when its standard input closes (the test ends).
"use strict";

const express = require("express");
const supertokens = require("supertokens-node");
const Session = require("supertokens-node/recipe/session");
const UserRoles = require("supertokens-node/recipe/userroles");
const { middleware, errorHandler } = require("supertokens-node/framework/express");
const { verifySession } = require("supertokens-node/recipe/session/framework/express");

const { UserRoleClaim, PermissionClaim } = UserRoles;

supertokens.init({
  framework: "express",
  supertokens: { connectionURI: process.env.CORE_URL },
  appInfo: { appName: "claims", apiDomain: "http://localhost:3101", websiteDomain: "http://localhost:3100" },
  recipeList: [Session.init({ getTokenTransferMethod: () => "header" }), UserRoles.init()],
});

// The same checks as the Rust side's routes of the same name.
const CHECKS = {
  admin: () => [UserRoleClaim.validators.includes("admin")],
  "all-roles": () => [UserRoleClaim.validators.includesAll(["admin", "editor"])],
  "any-role": () => [UserRoleClaim.validators.includesAny(["admin", "owner"])],
  "not-banned": () => [UserRoleClaim.validators.excludes("banned")],
  "none-of": () => [UserRoleClaim.validators.excludesAll(["banned", "editor"])],
  "read-orders": () => [PermissionClaim.validators.includes("orders:read")],
  "two-checks": () => [
    UserRoleClaim.validators.includes("admin"),
    PermissionClaim.validators.includesAll(["orders:read", "orders:write"]),
  ],
};

const app = express();
app.use(middleware());
app.post("/session", async (req, res, next) => {
  try {
    const userId = String(req.query.userId);
    const session = await Session.createNewSessionWithoutRequestResponse(
      "public",
      supertokens.convertToRecipeUserId(userId),
    );
    res.json({ accessToken: session.getAccessToken() });
  } catch (e) {
    next(e);
  }
});
for (const [name, checks] of Object.entries(CHECKS)) {
  app.get(`/check/${name}`, verifySession({ overrideGlobalClaimValidators: (globals) => [...globals, ...checks()] }), (req, res) =>
    res.json({ ok: true }),
  );
}
app.use(errorHandler());
app.use((err, req, res, _next) => {
  res.status(500).json({ error: String(err && err.message) });
});

const server = app.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
