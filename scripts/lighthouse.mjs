// Lighthouse (default mobile emulation: simulated slow 4G, 4x CPU slowdown) on the pages a
// signed-in person uses most. Prints the four category scores, time to interactive, largest
// contentful paint and the bytes transferred per page; writes each full report as JSON.
//
//   node scripts/lighthouse.mjs <base url> <cookie> <out dir> [label=path ...]
import fs from "node:fs";
import path from "node:path";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const [base, cookie, outDir, ...specs] = process.argv.slice(2);
const pages = specs.map((s) => s.split(/=(.*)/s).slice(0, 2));
fs.mkdirSync(outDir, { recursive: true });

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const rows = [];
try {
  for (const [label, p] of pages) {
    const url = new URL(p, base).href;
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      extraHeaders: { Cookie: cookie },
    });
    const lhr = result.lhr;
    const file = path.join(outDir, `${label.replace(/[^a-z0-9]+/gi, "-")}.json`);
    fs.writeFileSync(file, result.report);
    const score = (c) => Math.round((lhr.categories[c]?.score ?? 0) * 100);
    const ms = (a) => lhr.audits[a]?.numericValue;
    const failed = Object.values(lhr.categories)
      .flatMap((c) => c.auditRefs.filter((r) => r.weight > 0).map((r) => lhr.audits[r.id]))
      .filter((a) => a && a.score !== null && a.score < 1 && a.scoreDisplayMode === "binary")
      .map((a) => a.id);
    rows.push({
      page: label,
      url: lhr.finalDisplayedUrl,
      performance: score("performance"),
      accessibility: score("accessibility"),
      best_practices: score("best-practices"),
      seo: score("seo"),
      tti_ms: ms("interactive"),
      lcp_ms: ms("largest-contentful-paint"),
      fcp_ms: ms("first-contentful-paint"),
      tbt_ms: ms("total-blocking-time"),
      cls: ms("cumulative-layout-shift"),
      transfer_kib: (ms("total-byte-weight") ?? 0) / 1024,
      failed_audits: failed,
      report: file,
    });
  }
} finally {
  await chrome.kill();
}

const f0 = (x) => (x === undefined ? "–" : Math.round(x).toLocaleString("en"));
const lines = [
  "| page | performance | accessibility | best practices | SEO | TTI ms | LCP ms | FCP ms | TBT ms | CLS | transferred |",
  "| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |",
  ...rows.map((r) =>
    `| ${r.page} | ${r.performance} | ${r.accessibility} | ${r.best_practices} | ${r.seo} | ${f0(r.tti_ms)} | ${f0(r.lcp_ms)} | ${f0(r.fcp_ms)} | ${f0(r.tbt_ms)} | ${(r.cls ?? 0).toFixed(3)} | ${r.transfer_kib.toFixed(1)} KiB |`),
];
const failing = rows.filter((r) => r.failed_audits.length);
for (const r of failing) lines.push(`\n${r.page}: failed audits: ${r.failed_audits.join(", ")}`);
console.log(lines.join("\n"));
fs.writeFileSync(path.join(outDir, "summary.json"), JSON.stringify(rows, null, 2) + "\n");
fs.writeFileSync(path.join(outDir, "summary.md"), lines.join("\n") + "\n");
