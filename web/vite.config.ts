import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

/** The explorable: a static site in web/dist (relative paths, workers inlined: it works offline once loaded). */
export default defineConfig({
  root: here,
  base: "./",
  server: { fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      input: { main: `${here}index.html`, bench: `${here}bench.html` },
    },
  },
  worker: { format: "es" },
});
