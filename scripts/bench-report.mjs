// `make bench`'s report: reads the wrk figures (JSON lines) and the seed phases' JSON, prints a
// table per page, the scaling check and the bundle sizes, and writes all of it as one JSON file
// under bench-results/ so runs can be compared.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { execSync } from "node:child_process";

const [resultsFile, runDir, runSeconds] = process.argv.slice(2);
const rows = fs.readFileSync(resultsFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const readJson = (name) => JSON.parse(fs.readFileSync(path.join(runDir, name), "utf8"));
const seeds = { scale: readJson("scale.json"), filler: readJson("filler.json"), full: readJson("full.json") };

const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);
const mb = (kb) => (kb / 1024).toFixed(0);
function table(headers, lines) {
  const widths = headers.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const fmt = (cells) => "| " + cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(" | ") + " |";
  const rule = "|" + widths.map((w, i) => (i === 0 ? ":" + "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|") + "|";
  return [fmt(headers), rule, ...lines.map(fmt)].join("\n");
}
const ratio = (r) => (r.ddb_ms_per_req > 0 ? f1(r.server_ms_per_req / r.ddb_ms_per_req) : "–");
const errors = (r) => r.non_200 + r.socket_errors;

// Main pages.
const main = rows.filter((r) => r.phase === "main");
const pages = [...new Set(main.map((r) => r.page))];
let out = [];
out.push(`## Pages (release build, ${runSeconds} s per run, wrk; data set: ${seeds.full.items_in_table.toLocaleString("en")} items)`);
out.push("");
out.push(
  table(
    ["page", "conc.", "req/s", "p50 ms", "p99 ms", "DDB calls/req", "cache hits", "DDB ms/req", "server ms/req", "page ÷ DDB", "errors", "RSS MB"],
    main.map((r) => [
      r.page,
      r.concurrency, f1(r.rps), f2(r.p50_ms), f2(r.p99_ms), f2(r.ddb_calls_per_req),
      `${Math.round((r.cache_hit_ratio ?? 0) * 100)}%`,
      f2(r.ddb_ms_per_req), f2(r.server_ms_per_req), ratio(r), errors(r), mb(r.rss_kb),
    ]),
  ),
);
out.push("");
out.push("Paths: " + pages.map((p) => `${p} \`${main.find((r) => r.page === p).path}\``).join(", ") + ".");
out.push(
  "DDB ms/req adds up the time of each DynamoDB call, so a page that makes two calls at once " +
    "(the task page) can show more DynamoDB time than server time. Load generator, server and " +
    "DynamoDB Local share the machine's cores.",
);
const peak = Math.max(...rows.map((r) => r.peak_rss_kb));
out.push("");
out.push(`Server RSS after the last run: ${mb(main.at(-1).rss_kb)} MB; peak during the benchmark: ${mb(peak)} MB.`);

// Scaling check.
const scaleRows = rows
  .filter((r) => r.phase !== "main")
  .sort((a, b) => a.page.localeCompare(b.page) || a.concurrency - b.concurrency);
const phases = [...new Set(scaleRows.map((r) => r.phase))];
const items = { [phases[0]]: seeds.scale.items_in_table, [phases[1]]: seeds.filler.items_in_table };
out.push("");
out.push("## Scaling check: the same pages with few and with 100,000 other items in the table");
out.push("");
out.push(
  table(
    ["page", "items in table", "conc.", "req/s", "p50 ms", "p99 ms", "DDB calls/req", "DDB ms/req"],
    scaleRows.map((r) => [
      r.page, (items[r.phase] ?? 0).toLocaleString("en"), r.concurrency, f1(r.rps), f2(r.p50_ms),
      f2(r.p99_ms), f2(r.ddb_calls_per_req), f2(r.ddb_ms_per_req),
    ]),
  ),
);

// Live streams.
const live = readJson("live.json");
const after = readJson("after.json");
out.push("");
out.push("## Live streams: idle Server-Sent Events connections held by one instance");
out.push("");
out.push(
  table(
    ["streams open", "people", "DynamoDB calls per minute (idle)", "calls per stream per minute", "RSS before MB", "RSS with the streams MB"],
    [[
      live.still_open, 50, live.calls_per_minute,
      live.still_open ? (live.calls_per_minute / live.still_open).toFixed(3) : "–",
      mb(live.rss_before_kb), mb(live.rss_kb),
    ]],
  ),
);
out.push("");
out.push(`Server RSS at rest after the whole benchmark: ${mb(after.rss_after_kb)} MB.`);

// Static files (the cache-busted, pre-compressed copies the server sends) and per-page weight.
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const assets = "target/site/assets";
const manifest = JSON.parse(fs.readFileSync(path.join(assets, "manifest.json"), "utf8"));
const bundle = Object.entries(manifest).map(([key, file]) => {
  const size = (f) => fs.statSync(path.join(assets, f)).size;
  return { key, file, raw: size(file), gzip: size(`${file}.gz`), brotli: size(`${file}.br`) };
});
out.push("");
out.push("## Release static files (cache-busted names, served pre-compressed, `immutable`)");
out.push("");
out.push(table(["file", "raw", "gzip -9", "brotli 11"], bundle.map((b) => [b.file, kb(b.raw), kb(b.gzip), kb(b.brotli)])));
const weight = readJson("weight.json");
out.push("");
out.push("## What one page makes the browser download, signed in (JS + wasm: shell.js, plus the islands' module and wasm on a page with an island)");
out.push("");
out.push(
  table(
    ["page", "islands", "HTML gzip", "CSS gzip", "JS + wasm raw", "JS + wasm gzip", "JS + wasm brotli"],
    weight.map((w) => [
      w.page, w.islands.length ? w.islands.map((i) => i.replace(/_[0-9a-f]+$/i, "")).join(", ") : "none",
      kb(w.html.gzip), kb(w.css.gzip), kb(w.code.raw), kb(w.code.gzip), kb(w.code.brotli),
    ]),
  ),
);

const text = out.join("\n");
console.log("\n" + text + "\n");

let commit = "unknown";
try {
  commit = execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
} catch {}
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
fs.mkdirSync("bench-results", { recursive: true });
const file = path.join("bench-results", `bench-${stamp}.json`);
fs.writeFileSync(
  file,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      commit,
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memory_gb: Math.round(os.totalmem() / 2 ** 30), kernel: os.release() },
      seconds_per_run: Number(runSeconds),
      seeds,
      pages: main,
      scaling: scaleRows.map((r) => ({ ...r, items_in_table: items[r.phase] })),
      peak_rss_kb: peak,
      live,
      rss_after_kb: after.rss_after_kb,
      bundle,
      page_weight: weight,
    },
    null,
    2,
  ) + "\n",
);
fs.writeFileSync(path.join("bench-results", "latest.md"), text + "\n");
console.log(`figures written to ${file} (and bench-results/latest.md)`);
