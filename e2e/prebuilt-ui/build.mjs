// Bundles the prebuilt-UI app (app.jsx) with esbuild into a directory an example serves with
// SUPERTOKENS_WEBSITE_DIR: index.html, app.js (plus any lazily loaded chunks) and the phone
// field's flag images; nothing from a CDN.
//
//   node e2e/prebuilt-ui/build.mjs <out-dir> [--contact-method PHONE|EMAIL|EMAIL_OR_PHONE]
//        [--header] [--dynamic] [--tenant <id>]
//
// The flags bake settings into index.html (see app.jsx); a page may still override them by
// setting window.SUPERTOKENS_UI first, as the end-to-end driver does.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { build } from "esbuild";

const args = process.argv.slice(2);
const out = args.shift();
if (!out) {
  console.error("usage: node build.mjs <out-dir> [--contact-method M] [--header] [--dynamic] [--tenant ID]");
  process.exit(2);
}
const baked = {};
while (args.length) {
  const flag = args.shift();
  if (flag === "--contact-method") baked.contactMethod = args.shift();
  else if (flag === "--header") baked.tokenTransferMethod = "header";
  else if (flag === "--dynamic") baked.usesDynamicLoginMethods = true;
  else if (flag === "--tenant") baked.tenantId = args.shift();
  else {
    console.error(`unknown flag ${flag}`);
    process.exit(2);
  }
}

const here = path.dirname(new URL(import.meta.url).pathname);
fs.mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: path.join(here, "app.jsx") },
  bundle: true,
  format: "esm",
  splitting: true,
  outdir: out,
  jsx: "automatic",
  minify: true,
  sourcemap: false,
  target: ["chrome110"],
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});
// The phone field's flag sprites: the prebuilt UI points at a CDN for them, and app.jsx points
// at these copies instead.
const flags = path.join(path.dirname(createRequire(import.meta.url).resolve("intl-tel-input/package.json")), "build", "img");
for (const file of ["flags.png", "flags@2x.png"]) fs.copyFileSync(path.join(flags, file), path.join(out, file));
// `</` inside the inline script would end it early.
const bakedJson = JSON.stringify(baked).replace(/</g, "\\u003c");
fs.writeFileSync(
  path.join(out, "index.html"),
  `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>supertokens-rs: prebuilt UI</title>
    <script>window.SUPERTOKENS_UI = Object.assign(${bakedJson}, window.SUPERTOKENS_UI || {});</script>
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="/app.js"></script>
  </body>
</html>
`,
);
console.log(`built the prebuilt-UI app into ${out}`);
