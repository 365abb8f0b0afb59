// A small React app mounting the prebuilt UI of supertokens-auth-react, as a new user of the SDK
// would: the passwordless sign-in pages under /auth (the magic link's /auth/verify included), and
// a home page behind <SessionAuth> that calls the API's /sessioninfo and signs out.
//
// Settings: the defaults below, overridden by `window.SUPERTOKENS_UI` when a script sets it before
// this one (the end-to-end driver does, per browser context; build.mjs can bake some in).
// No router library: the prebuilt UI navigates by full page loads, which the examples' website
// directory (SUPERTOKENS_WEBSITE_DIR: the file, else index.html) serves.

import React, { useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import SuperTokens, { SuperTokensWrapper } from "supertokens-auth-react";
import Passwordless from "supertokens-auth-react/recipe/passwordless";
import Session, { SessionAuth, useSessionContext } from "supertokens-auth-react/recipe/session";
import Multitenancy from "supertokens-auth-react/recipe/multitenancy";
import { canHandleRoute, getRoutingComponent } from "supertokens-auth-react/ui";
import { PasswordlessPreBuiltUI } from "supertokens-auth-react/recipe/passwordless/prebuiltui";

const settings = {
  appName: "supertokens-rs",
  apiDomain: "http://localhost:3001",
  websiteDomain: "http://localhost:3000",
  contactMethod: "EMAIL_OR_PHONE",
  tokenTransferMethod: "cookie",
  usesDynamicLoginMethods: false,
  // The tenant to sign in on; unset: the public tenant (or the magic link's tenantId).
  tenantId: undefined,
  resendGapSeconds: 15,
  ...(window.SUPERTOKENS_UI || {}),
};

SuperTokens.init({
  appInfo: {
    appName: settings.appName,
    apiDomain: settings.apiDomain,
    websiteDomain: settings.websiteDomain,
    apiBasePath: "/auth",
    websiteBasePath: "/auth",
  },
  usesDynamicLoginMethods: settings.usesDynamicLoginMethods,
  // The phone field's flags from this site (build.mjs copies them), not from the UI's CDN.
  style: `
    [data-supertokens~="inputContainer"] .iti__flag { background-image: url("/flags.png"); }
    @media (-webkit-min-device-pixel-ratio: 2), (min-resolution: 192dpi) {
      [data-supertokens~="inputContainer"] .iti__flag { background-image: url("/flags@2x.png"); }
    }`,
  recipeList: [
    Multitenancy.init({
      override: {
        functions: (original) => ({
          ...original,
          getTenantId: (input) => settings.tenantId ?? original.getTenantId(input),
        }),
      },
    }),
    Passwordless.init({
      contactMethod: settings.contactMethod,
      signInUpFeature: { resendEmailOrSMSGapInSeconds: settings.resendGapSeconds },
    }),
    Session.init({ tokenTransferMethod: settings.tokenTransferMethod }),
  ],
});

// The app's own page: who is signed in, as the API's /sessioninfo says, and a sign-out button.
function Home() {
  const session = useSessionContext();
  const [info, setInfo] = useState(null);
  const [error, setError] = useState("");
  useEffect(() => {
    if (session.loading || !session.doesSessionExist) return;
    // The prebuilt UI's Session recipe adds the credentials (cookies or Authorization).
    fetch(`${settings.apiDomain}/sessioninfo`)
      .then(async (r) => (r.ok ? setInfo(await r.json()) : setError(`/sessioninfo: ${r.status}`)))
      .catch((e) => setError(String(e)));
  }, [session.loading, session.doesSessionExist]);
  if (session.loading) return null;
  const signOut = async () => {
    await Session.signOut();
    window.location.assign("/auth");
  };
  return (
    <main id="home" data-ready={info ? "true" : "false"}>
      <h1>Signed in</h1>
      <p>
        User <code id="user-id">{info?.userId ?? ""}</code> on tenant{" "}
        <code id="tenant-id">{info?.tenantId ?? ""}</code>
      </p>
      <p id="home-error">{error}</p>
      <button id="signout" onClick={signOut}>
        Sign out
      </button>
    </main>
  );
}

function App() {
  if (canHandleRoute([PasswordlessPreBuiltUI])) {
    return getRoutingComponent([PasswordlessPreBuiltUI]);
  }
  return (
    <SessionAuth>
      <Home />
    </SessionAuth>
  );
}

createRoot(document.getElementById("root")).render(
  <SuperTokensWrapper>
    <App />
  </SuperTokensWrapper>,
);
