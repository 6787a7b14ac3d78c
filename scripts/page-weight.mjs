// What the browser downloads to make one page work: its HTML, its stylesheet and its code
// (shell.js always; the islands' module and WebAssembly only when the page has an island).
//
//   node scripts/page-weight.mjs <base url> <cookie> <pages.json> [site root]
//
// pages.json: [[label, path], ...]. Sizes of the static files are those of the pre-compressed
// copies the server sends (<site>/assets/*.gz, *.br). Prints one JSON array.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const [base, cookie, pagesFile, site = "target/site"] = process.argv.slice(2);
const pages = JSON.parse(fs.readFileSync(pagesFile, "utf8"));
const dir = path.join(site, "assets");

function sizes(url) {
  const file = path.join(dir, path.basename(new URL(url, base).pathname));
  if (!url.startsWith("/assets/") || !fs.existsSync(file)) throw new Error(`not a built asset: ${url}`);
  return {
    raw: fs.statSync(file).size,
    gzip: fs.statSync(`${file}.gz`).size,
    brotli: fs.statSync(`${file}.br`).size,
  };
}
const add = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });
const zero = { raw: 0, gzip: 0, brotli: 0 };

const out = [];
for (const [label, p] of pages) {
  const res = await fetch(new URL(p, base), { headers: { Cookie: cookie, Accept: "text/html" }, redirect: "manual" });
  const html = await res.text();
  if (res.status !== 200) throw new Error(`${p}: status ${res.status}`);
  const attr = (re) => (html.match(re) || [])[1];
  const css = attr(/<link rel="stylesheet" href="([^"]+)"/);
  const shell = attr(/<script type="module" src="([^"]+)"/);
  const js = attr(/data-js-module="([^"]+)"/);
  const wasm = attr(/data-js-wasm="([^"]+)"/);
  const islands = [...new Set([...html.matchAll(/<leptos-island data-component="([^"]+)"/g)].map((m) => m[1]))];
  const code = islands.length ? add(add(sizes(shell), sizes(js)), sizes(wasm)) : sizes(shell);
  const body = Buffer.from(html);
  out.push({
    page: label,
    path: p,
    islands,
    html: { raw: body.length, gzip: zlib.gzipSync(body, { level: 9 }).length, brotli: zlib.brotliCompressSync(body).length },
    css: css ? sizes(css) : zero,
    code,
  });
}
console.log(JSON.stringify(out));
