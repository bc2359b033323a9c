/**
 * Cooperative cancellation of long synchronous work (grid solves, factorisations, time stepping).
 *
 * A caller that can be interrupted installs a stop check with `withStopCheck(check, fn)` (the CLI reads a flag
 * that its main thread sets on Ctrl-C while the work runs in a worker thread); the long loops of the core call
 * `throwIfStopped(what)` once per iteration, front or step, which throws `Interrupted` when a stop was
 * requested. Without an installed check the poll is a no-op, so library callers see no change. The check is
 * per thread (module state): synchronous work in one thread has one caller at a time.
 */

/** Thrown by a long computation that stopped because a stop was requested; `what` names the computation. */
export class Interrupted extends Error {
  readonly what: string;
  constructor(what: string) {
    super(`interrupted during ${what}`);
    this.name = "Interrupted";
    this.what = what;
  }
}

let check: (() => boolean) | null = null;

/**
 * Runs `fn` with `stop` as the stop check of the loops it calls (nested calls restore the outer check).
 * Returns `fn`'s value; an `Interrupted` thrown inside propagates.
 */
export function withStopCheck<T>(stop: () => boolean, fn: () => T): T {
  const outer = check;
  check = stop;
  try {
    return fn();
  } finally {
    check = outer;
  }
}

/** Installs `stop` as the stop check until the returned function is called (for async callers). */
export function installStopCheck(stop: () => boolean): () => void {
  const outer = check;
  check = stop;
  return () => {
    check = outer;
  };
}

/** True when a stop has been requested (never without an installed check). */
export function stopRequested(): boolean {
  return check?.() === true;
}

/** Throws `Interrupted` naming `what` when a stop has been requested. */
export function throwIfStopped(what: string): void {
  if (check?.()) throw new Interrupted(what);
}
