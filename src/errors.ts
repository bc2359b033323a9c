/**
 * An error caused by the user's input (problem file, CLI flag, region, start point, ...).
 * The CLI prints `message` alone (no stack trace) and exits with code 2.
 * `where` names the place in the input: a problem-file path ("problem.yaml: noise.matrix[0][1]") or, in the
 * library, a parameter ("dt", "particles"); the CLI renames parameters to its flags ("--dt").
 */
export class UserError extends Error {
  readonly where?: string;
  readonly hint?: string;
  /** The message alone, without `where` and `hint` (for callers that name the place differently). */
  readonly detail: string;
  constructor(message: string, opts: { where?: string; hint?: string } = {}) {
    const full =
      (opts.where ? `${opts.where}: ` : "") + message + (opts.hint ? ` (valid: ${opts.hint})` : "");
    super(full);
    this.name = "UserError";
    this.where = opts.where;
    this.hint = opts.hint;
    this.detail = message;
  }
}

/** A computation that could not deliver a trustworthy answer (e.g. a solver that did not converge). */
export class NumericalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NumericalError";
  }
}

/**
 * A linear system whose matrix is singular to working (double) precision: a pivot of the direct
 * factorisation vanished relative to the scale of its row. For a generator Q_D this means a set of states
 * that is never absorbed, or exit times so long (beyond ~1e14 holding times 1/|q_ii|) that double precision
 * cannot tell them from infinite. `unknown` is the matrix row (in the caller's numbering) where it showed.
 */
export class SingularMatrixError extends NumericalError {
  readonly unknown: number;
  readonly relativePivot: number;
  constructor(message: string, opts: { unknown: number; relativePivot: number }) {
    super(message);
    this.name = "SingularMatrixError";
    this.unknown = opts.unknown;
    this.relativePivot = opts.relativePivot;
  }
}
