// Frames per second of web/bench.html in headless Chromium (Debian's /usr/bin/chromium through playwright-core,
// software rendering: --disable-gpu). Builds web/, serves web/dist on a local port, prints the page's figures
// and the machine's load. Not a test: timings depend on the machine. Usage: node bench/web-fps.mjs [seconds]
import { loadavg } from "node:os";
import { chromium } from "playwright-core";
import { serveWeb } from "./web-serve.mjs";

const { server, url, exe } = await serveWeb();
const seconds = Number(process.argv[2] ?? 5);
const browser = await chromium.launch({ executablePath: exe, args: ["--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const load0 = loadavg()[0];
  await page.goto(`${url}bench.html?seconds=${seconds}`);
  await page.waitForFunction(() => document.body.dataset.state !== "loading", null, { timeout: 120_000 });
  const r = await page.$eval("#result", (e) => ({ text: e.textContent, ...e.dataset }));
  console.log(
    JSON.stringify({ ...r, load_average_1min: [load0, loadavg()[0]], chromium: browser.version() }, null, 2),
  );
} finally {
  await browser.close();
  server.close();
}
