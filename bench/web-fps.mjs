// Frames per second of web/bench.html in headless Chromium (Debian's /usr/bin/chromium through playwright-core,
// software rendering: --disable-gpu). Builds web/, serves web/dist on a local port, prints the page's figures
// and the machine's load. Not a test: timings depend on the machine. Usage: node bench/web-fps.mjs [seconds]
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { loadavg } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build } from "vite";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..");
const exe = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
if (!exe) throw new Error("needs Debian's chromium at /usr/bin/chromium");
const seconds = Number(process.argv[2] ?? 5);
await build({ configFile: join(root, "web/vite.config.ts"), logLevel: "error" });
const dist = join(root, "web/dist");
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css" };
const server = createServer((req, res) => {
  let f = join(dist, normalize(decodeURIComponent(req.url.split(/[?#]/)[0])).replace(/^(\.\.[/\\])+/, ""));
  try {
    if (statSync(f).isDirectory()) f = join(f, "index.html");
    res.writeHead(200, { "content-type": types[extname(f)] ?? "application/octet-stream" });
    res.end(readFileSync(f));
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const browser = await chromium.launch({ executablePath: exe, args: ["--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const load0 = loadavg()[0];
  await page.goto(`http://127.0.0.1:${server.address().port}/bench.html?seconds=${seconds}`);
  await page.waitForFunction(() => document.body.dataset.state !== "loading", null, { timeout: 120_000 });
  const r = await page.$eval("#result", (e) => ({ text: e.textContent, ...e.dataset }));
  console.log(
    JSON.stringify({ ...r, load_average_1min: [load0, loadavg()[0]], chromium: browser.version() }, null, 2),
  );
} finally {
  await browser.close();
  server.close();
}
