// CLI start-up: `sgdscope --help` and the start of a command's own --help against a bare `node -e 0`, in
// alternating rounds (median of each). Target (issue 11): --help ≤ 3× a bare Node start.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./median.js";

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, "..", "bin", "sgdscope.js");

function time(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: "ignore" });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited with ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export function benchStartup(rounds = 15) {
  const bare = [];
  const help = [];
  const cmdHelp = [];
  for (let i = 0; i < rounds; i++) {
    bare.push(time(["-e", "0"]));
    help.push(time([bin, "--help"]));
    cmdHelp.push(time([bin, "exit-time", "--help"]));
  }
  const b = median(bare);
  return {
    rounds,
    bare_node_s: b,
    help_s: median(help),
    exit_time_help_s: median(cmdHelp),
    help_ratio: median(help) / b,
    exit_time_help_ratio: median(cmdHelp) / b,
    target: "sgdscope --help ≤ 3× a bare node start",
  };
}
