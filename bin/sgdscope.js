#!/usr/bin/env node
// The sgdscope executable: runs the compiled CLI (npm ci builds it via the prepare script).
import { main } from "../dist/cli/main.js";

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
