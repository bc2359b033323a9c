/**
 * The commands of the CLI, each with its one-line description and the module that defines it. Only the module of
 * the command being run is loaded, so `sgdscope --help` and every error message start fast.
 */
export interface CommandEntry {
  description: string;
  load: () => Promise<(program: import("commander").Command) => void>;
  /** The flag that sets a library parameter, where it is not `--<parameter>` (errors name the flag). */
  flags?: Record<string, string>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  analyze: {
    description:
      "answer the three questions (first stage, escape from bad minima, convergence) with a self-contained HTML report",
    load: async () => (await import("./commands/analyze.js")).registerAnalyze,
  },
  simulate: {
    description: "simulate an ensemble of particles and summarise the law over time",
    load: async () => (await import("./commands/simulate.js")).registerSimulate,
    flags: { init: "--init" },
  },
  "exit-time": {
    description: "mean exit time from a point into a region, by particles (sgd, sde, ...) and other methods",
    load: async () => (await import("./commands/exit-time.js")).registerExitTime,
    flags: { methods: "--method", horizon: "--max-time", rtol: "--rtol", maxSeconds: "--pde-seconds" },
  },
  "fokker-planck": {
    description: "evolve the law of the SDE on a grid (Fokker–Planck) and report snapshots",
    load: async () => (await import("./commands/fokker-planck.js")).registerFokkerPlanck,
  },
  stationary: {
    description:
      "long-time law on a grid: closed classes (densities or point masses), where the mass ends, spectral gap within each class",
    load: async () => (await import("./commands/stationary.js")).registerStationary,
  },
  sweep: {
    description:
      "exit times over a grid of η, B (and δ): one table, and the Arrhenius, B/η and power laws fitted with intervals",
    load: async () => (await import("./commands/sweep.js")).registerSweep,
    flags: { methods: "--method", lr: "--lr", batch: "--batch", seeds: "--seeds", horizon: "--max-time" },
  },
  merge: {
    description:
      "merge the shard files of a sweep (sweep --shard i/N) into the table and page of the whole sweep",
    load: async () => (await import("./commands/merge.js")).registerMerge,
  },
  worker: {
    description:
      "process sweep cells from a BullMQ queue in Redis (sweep --queue redis://HOST:PORT) until stopped",
    load: async () => (await import("./commands/worker.js")).registerWorker,
  },
  landscape: {
    description:
      "critical points, saddles, paths, barriers, basins, noise, Kramers times and the long-time verdict",
    load: async () => (await import("./commands/landscape.js")).registerLandscape,
  },
};

/** Library parameters that the CLI sets with a flag of the same name (`dt` → `--dt`). */
const SAME_NAME = new Set([
  "dt",
  "particles",
  "steps",
  "dynamics",
  "delta",
  "from",
  "to",
  "grid",
  "times",
  "seed",
  "threads",
  "snapshots",
]);

/** The flag for a library parameter in `command`, or undefined (a problem-file path, say). */
export function flagOf(command: string | undefined, param: string): string | undefined {
  const own = command && Object.hasOwn(COMMANDS, command) ? COMMANDS[command].flags : undefined;
  if (own && Object.hasOwn(own, param)) return own[param];
  return SAME_NAME.has(param) ? `--${param}` : undefined;
}
