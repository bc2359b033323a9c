import { readFileSync } from "node:fs";

/** Resolves when process `pid` has used `seconds` of CPU (all threads; Linux /proc) or after `capSeconds`. */
export async function cpuSeconds(pid: number, seconds: number, capSeconds: number): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < capSeconds * 1000) {
    await new Promise((r) => setTimeout(r, 200));
    let used: number;
    try {
      // fields after the command name: utime and stime are the 12th and 13th (clock ticks, 100 per second)
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      used = (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      if (Date.now() - t0 >= 4000) return; // no /proc: fall back to 4 s of wall time
      continue;
    }
    if (used >= seconds) return;
  }
}
