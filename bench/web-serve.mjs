// For the browser benchmarks: builds web/ and serves web/dist on a free local port; finds Debian's Chromium.
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

export async function serveWeb() {
  const root = join(fileURLToPath(new URL(".", import.meta.url)), "..");
  const exe = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
  if (!exe) throw new Error("needs Debian's chromium at /usr/bin/chromium");
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
  return { root, server, exe, url: `http://127.0.0.1:${server.address().port}/` };
}
