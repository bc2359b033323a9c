/**
 * A result folder (`--out DIR`) is one result set, all old or all new, whatever moment the process is
 * killed at (kill -9 included). The files are written into a fresh hidden sibling folder
 * `.DIR.sgdscope-PID-MS.new`; `commit()` then swaps it in with two renames (DIR → `.old`, `.new` → DIR) and
 * removes the old set. Between those two renames DIR is briefly absent and its old set sits, complete, in
 * the `.old` sibling: the next run into DIR renames it back before anything else. Leftovers of killed runs
 * (`.new`/`.old` siblings and `.PID.MS.tmp` files of older versions) are removed by the next run.
 *
 * Because the whole folder is replaced, DIR must be new, empty, or a folder sgdscope wrote (only the names
 * in RESULT_ENTRIES): a folder holding anything else is refused before any work.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { UserError } from "../errors.js";
import { ensureDir, why } from "./write.js";

/** Every top-level name a command writes into its result folder. */
export const RESULT_ENTRIES: ReadonlySet<string> = new Set([
  // simulate
  "manifest.json",
  "moments.csv",
  "snapshots.arrow",
  "exit-times.arrow",
  // exit-time
  "exit-times.csv",
  "exit-time.json",
  // fokker-planck
  "snapshots.csv",
  "density.arrow",
  // stationary
  "stationary.csv",
  // analyze
  "summary.json",
  "report.html",
  "figures",
  "data",
]);

/** A temporary file of writeFileAtomic (`.PID.MS.tmp`), left behind if its process was killed. */
const TMP_FILE = /^\.(\d+)\.\d+\.tmp$/;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The hidden siblings of `dir` that runs into it create: [name, pid, kind]. */
function siblings(dir: string): Array<{ path: string; pid: number; kind: "new" | "old" }> {
  const parent = dirname(dir);
  const re = new RegExp(`^\\.${escapeRe(basename(dir))}\\.sgdscope-(\\d+)-\\d+\\.(new|old)$`);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const out: Array<{ path: string; pid: number; kind: "new" | "old" }> = [];
  for (const n of names) {
    const m = re.exec(n);
    if (m) out.push({ path: join(parent, n), pid: Number(m[1]), kind: m[2] as "new" | "old" });
  }
  return out;
}

/**
 * Repairs what killed runs into `dir` left behind: an old set caught mid-swap is put back (when `dir` is
 * absent), other `.new`/`.old` siblings and stale `.PID.MS.tmp` files of dead processes are removed.
 * Returns the paths removed or restored (for tests).
 */
export function recoverResultDir(dir: string): string[] {
  const abs = resolve(dir);
  const done: string[] = [];
  const stale = siblings(abs).filter((s) => !alive(s.pid));
  // an interrupted swap: the old set is complete in `.old` and DIR is missing
  for (const s of stale) {
    if (s.kind === "old" && !existsSync(abs)) {
      renameSync(s.path, abs);
      done.push(s.path);
    }
  }
  for (const s of stale) {
    if (existsSync(s.path)) {
      rmSync(s.path, { recursive: true, force: true });
      done.push(s.path);
    }
  }
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    for (const n of readdirSync(abs)) {
      const m = TMP_FILE.exec(n);
      if (m && !alive(Number(m[1]))) {
        rmSync(join(abs, n), { force: true });
        done.push(join(abs, n));
      }
    }
  }
  return done;
}

/** A result set being written: files go under `dir` (the staging folder) until `commit()`. */
export interface ResultSet {
  /** The folder the user named. */
  readonly outDir: string;
  /** The staging folder to write into. */
  readonly dir: string;
  /** Swaps the finished set in (atomic for readers of `outDir`, see the file comment). */
  commit(): void;
  /** Drops the staging folder (the old set stays). */
  discard(): void;
}

/**
 * Checks `outDir` can receive a result set and opens its staging folder, before any long computation: a
 * UserError naming `flag` when it is empty, a file, the working folder, holds files sgdscope did not write,
 * or cannot be written.
 */
export function openResultSet(outDir: string, flag = "--out"): ResultSet {
  if (outDir.trim() === "") {
    throw new UserError("is empty", { where: flag, hint: "a folder name, e.g. out/run1" });
  }
  const abs = resolve(outDir);
  const rel = relative(abs, process.cwd());
  if (rel === "" || !(rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel))) {
    throw new UserError(`${JSON.stringify(outDir)} is the working folder or holds it`, {
      where: flag,
      hint: "a folder of its own (the result set replaces the whole folder), e.g. out/run1",
    });
  }
  const fail = (e: unknown): never => {
    throw new UserError(`cannot write into ${JSON.stringify(outDir)}: ${why(e)}`, {
      where: flag,
      hint: "a folder you can write to",
    });
  };
  try {
    recoverResultDir(abs);
  } catch (e) {
    fail(e);
  }
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) fail(Object.assign(new Error("not a folder"), { code: "ENOTDIR" }));
    const foreign = readdirSync(abs).filter((n) => !RESULT_ENTRIES.has(n) && !TMP_FILE.test(n));
    if (foreign.length > 0) {
      const shown =
        foreign.slice(0, 5).join(", ") + (foreign.length > 5 ? `, … (${foreign.length} in all)` : "");
      throw new UserError(`${JSON.stringify(outDir)} holds files sgdscope did not write: ${shown}`, {
        where: flag,
        hint: "a new or empty folder, or one an earlier sgdscope run wrote (the result set replaces the whole folder)",
      });
    }
  }
  const stamp = `${process.pid}-${Date.now()}`;
  const staging = join(dirname(abs), `.${basename(abs)}.sgdscope-${stamp}.new`);
  try {
    ensureDir(dirname(abs));
    mkdirSync(staging);
  } catch (e) {
    fail(e);
  }
  let open = true;
  return {
    outDir,
    dir: staging,
    commit() {
      if (!open) return;
      open = false;
      try {
        if (!existsSync(abs)) {
          renameSync(staging, abs);
          return;
        }
        const old = join(dirname(abs), `.${basename(abs)}.sgdscope-${stamp}.old`);
        renameSync(abs, old);
        renameSync(staging, abs);
        rmSync(old, { recursive: true, force: true });
      } catch (e) {
        throw new UserError(`cannot write into ${JSON.stringify(outDir)}: ${why(e)}`, { where: flag });
      }
    },
    discard() {
      if (!open) return;
      open = false;
      rmSync(staging, { recursive: true, force: true });
    },
  };
}
