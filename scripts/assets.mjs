// Cache-busted, pre-compressed copies of the files every page loads (see src/platform/assets.rs).
//
//   node scripts/assets.mjs [site root, default target/site]
//
// Copies the stylesheet, shell.js and the islands' module and WebAssembly to <site>/assets/ as
// <name>.<hash of the content>.<ext>, writes a .gz (gzip -9) and a .br (brotli, quality 11)
// beside each, and lists the names in assets/manifest.json. Old files are removed.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const site = process.argv[2] || "target/site";
const out = path.join(site, "assets");
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

const sources = {
  css: "pkg/minijira.css",
  shell: "shell.js",
  wasm: "pkg/minijira.wasm",
  js: "pkg/minijira.js",
};

const manifest = {};
for (const [key, rel] of Object.entries(sources)) {
  const file = path.join(site, rel);
  if (!fs.existsSync(file)) {
    console.error(`assets: ${file} is missing (run cargo leptos build first)`);
    process.exit(1);
  }
  const data = fs.readFileSync(file);
  const hash = crypto.createHash("sha256").update(data).digest("base64url").slice(0, 12);
  const ext = path.extname(rel);
  const name = `${path.basename(rel, ext)}.${hash}${ext}`;
  fs.writeFileSync(path.join(out, name), data);
  fs.writeFileSync(path.join(out, `${name}.gz`), zlib.gzipSync(data, { level: 9 }));
  fs.writeFileSync(
    path.join(out, `${name}.br`),
    zlib.brotliCompressSync(data, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }),
  );
  manifest[key] = name;
}
fs.writeFileSync(path.join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`assets: ${Object.values(manifest).join(", ")} (+ .gz, .br) in ${out}`);
