// Latency of the explorable in headless Chromium (software rendering): the η slider moved by one keyboard step
// → the first exit time of the new state on screen (the page's data-first-met-ms: 120 ms debounce included), on
// the gallery's 1-D double well and 2-D three wells (default particles and runs), ROUNDS times with the previous
// run finished and ROUNDS times with it still computing, with the machine's load. Not a test: timings depend on the machine. Usage: node bench/web-latency.mjs
import { loadavg } from "node:os";
import { chromium } from "playwright-core";
import { serveWeb } from "./web-serve.mjs";

const ROUNDS = 3;
const { server, url, exe } = await serveWeb();
const browser = await chromium.launch({ executablePath: exe, args: ["--no-sandbox", "--disable-gpu"] });
const out = {};
try {
  for (const p of ["double-well", "three-minima-2d"]) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${url}#p=${p}&an=0`);
    const rounds = [];
    const press = async (k, when) => {
      const runs = Number(await page.evaluate(() => document.body.dataset.runs));
      await page.evaluate(() => {
        delete document.body.dataset.firstMetMs;
      });
      const load = loadavg()[0];
      await page.focus("#lr");
      await page.keyboard.press(k % 2 === 0 ? "ArrowRight" : "ArrowLeft");
      await page.waitForFunction(
        (n) => Number(document.body.dataset.runs) > n && document.body.dataset.firstMetMs !== undefined,
        runs,
        { timeout: 300_000 },
      );
      const first = Number(await page.evaluate(() => document.body.dataset.firstMetMs));
      rounds.push({
        when,
        lr: await page.inputValue("#lr"),
        first_exit_time_ms: first,
        load_average_1min: load,
      });
    };
    for (let k = 0; k < ROUNDS; k++) {
      // settled: the previous state's run has finished (exit times, clouds, density)
      await page.waitForFunction(() => document.body.dataset.state === "ready", null, { timeout: 300_000 });
      await press(2 * k, "previous run finished");
      // busy: right after that state's first exit time, while its other methods, clouds and density still run
      await press(2 * k + 1, "previous run still computing");
    }
    out[p] = rounds;
    await page.close();
  }
  console.log(JSON.stringify({ chromium: browser.version(), rounds: out }, null, 2));
} finally {
  await browser.close();
  server.close();
}
