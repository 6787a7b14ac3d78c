// `make bench`'s live-connection run: opens N Server-Sent Events streams (`/live`) spread over
// the given session cookies, holds them idle for the given seconds, and prints one JSON line:
// how many opened, how many are still open, and the events they received. The server's side
// (its DynamoDB calls per minute, its RSS) is read by bench.sh.
import http from "node:http";
import fs from "node:fs";

const [base, cookieFile, countArg, secondsArg] = process.argv.slice(2);
const cookies = fs.readFileSync(cookieFile, "utf8").split("\n").filter(Boolean);
const count = Number(countArg || 1000);
const seconds = Number(secondsArg || 125);
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

let opened = 0, failed = 0, events = 0, ended = 0;
const requests = [];
function open(i) {
  return new Promise((resolve) => {
    const req = http.get(`${base}/live`, {
      agent,
      headers: { cookie: cookies[i % cookies.length], accept: "text/event-stream" },
    }, (res) => {
      if (res.statusCode !== 200) { failed++; res.resume(); return resolve(); }
      opened++;
      res.setEncoding("utf8");
      res.on("data", (chunk) => { events += (chunk.match(/\n\n/g) || []).length; });
      res.on("end", () => { ended++; });
      resolve();
    });
    req.on("error", () => { failed++; resolve(); });
    requests.push(req);
  });
}

const started = Date.now();
for (let i = 0; i < count; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => open(i + j)));
}
const openSeconds = (Date.now() - started) / 1000;
await new Promise((r) => setTimeout(r, seconds * 1000));
console.log(JSON.stringify({ requested: count, opened, failed, still_open: opened - ended, events, open_seconds: openSeconds, held_seconds: seconds }));
for (const r of requests) r.destroy();
process.exit(0);
