#!/usr/bin/env node
// The sgdscope executable: runs the compiled CLI (npm ci builds it via the prepare script).
import { runCli } from "../dist/cli/launch.js";

// A reader that stops early (`sgdscope --help | head`) is not an error.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
