/**
 * Data sets for the data-driven models: deterministic generators (a pure function of the seed),
 * CSV parsing from text (the core never reads files) and the built-in Iris data.
 *
 * A `Dataset` holds n samples of p features (row-major `X`, n×p) and one target per sample:
 * a real number (regression, `classes = 0`) or a class index 0..classes−1 stored as a float.
 */

import { UserError } from "../../errors.js";
import { Rng } from "../../random/rng.js";
import { parseDecimal } from "../decimal.js";
import { IRIS_CLASSES, IRIS_FEATURES, IRIS_LABELS, IRIS_X } from "./iris.js";

export interface Dataset {
  /** Number of samples N. */
  readonly n: number;
  /** Number of features p. */
  readonly p: number;
  /** Features, row-major n×p: sample i, feature j at X[i*p + j]. */
  readonly X: Float64Array;
  /** Targets: a real value (regression) or a class index 0..classes−1 (classification). */
  readonly y: Float64Array;
  /** 0 for a real-valued target, otherwise the number of classes (≥ 2). */
  readonly classes: number;
  readonly featureNames: readonly string[];
  readonly targetName: string;
  /** Names of the classes when the target is categorical. */
  readonly classNames?: readonly string[];
  /** The planted parameter x* of the Gaussian design (weights only, no bias), when known. */
  readonly planted?: Float64Array;
  /** One line saying where the data came from. */
  readonly source: string;
}

/** Which kind of target a generator should produce for the model that will read it. */
export type TargetKind =
  /** y = ⟨a, x*⟩ + noise·ε (Gaussian), or f*(a) + noise·ε (teacher). */
  | "linear"
  /** y = 1[⟨a, x*⟩ + noise·ε > 0], labels 0/1. */
  | "binary"
  /** y = ⟨a, x*⟩² + noise·ε. */
  | "phase";

/** Random streams used by the generators (stream index of `Rng`). */
const STREAM_FEATURES = 0;
const STREAM_TARGET = 1;
const STREAM_PLANT = 2;

function names(prefix: string, p: number): string[] {
  return Array.from({ length: p }, (_, j) => `${prefix}${j + 1}`);
}

/**
 * Gaussian design with a planted parameter: features a_i ~ N(0, I_p), x* ~ N(0, I_p)/√p (so that
 * ⟨a_i, x*⟩ has variance ≈ 1), and targets by `kind`:
 * - "linear":  y_i = ⟨a_i, x*⟩ + noise·ε_i,
 * - "phase":   y_i = ⟨a_i, x*⟩² + noise·ε_i,
 * - "binary":  y_i = 1[⟨a_i, x*⟩ + noise·ε_i > 0]  (labels 0/1; noise = 0 gives separable data),
 * with ε_i ~ N(0, 1) independent. Features, targets and x* use separate streams of `seed`.
 */
export function gaussianDesign(
  n: number,
  p: number,
  seed: number,
  noise: number,
  kind: TargetKind = "linear",
): Dataset {
  const rf = new Rng(seed, STREAM_FEATURES);
  const rt = new Rng(seed, STREAM_TARGET);
  const rp = new Rng(seed, STREAM_PLANT);
  const planted = new Float64Array(p);
  const s = 1 / Math.sqrt(p);
  for (let j = 0; j < p; j++) planted[j] = s * rp.normal();
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let u = 0;
    for (let j = 0; j < p; j++) {
      const a = rf.normal();
      X[i * p + j] = a;
      u += a * planted[j];
    }
    const e = noise * rt.normal();
    y[i] = kind === "linear" ? u + e : kind === "phase" ? u * u + e : u + e > 0 ? 1 : 0;
  }
  return {
    n,
    p,
    X,
    y,
    classes: kind === "binary" ? 2 : 0,
    featureNames: names("a", p),
    targetName: "y",
    classNames: kind === "binary" ? ["0", "1"] : undefined,
    planted,
    source: `Gaussian design n=${n}, p=${p}, seed=${seed}, noise=${noise}, target ${kind}`,
  };
}

/**
 * Two interleaving half circles (as scikit-learn's make_moons): class 0 on (cos t, sin t),
 * class 1 on (1 − cos t, 1/2 − sin t), t uniform on [0, π]; classes alternate (i even → 0) so they
 * are balanced; Gaussian jitter of standard deviation `noise` on both coordinates.
 */
export function twoMoons(n: number, seed: number, noise: number): Dataset {
  const r = new Rng(seed, STREAM_FEATURES);
  const X = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = Math.PI * r.uniform();
    const c = i & 1;
    const x0 = c === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const x1 = c === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    X[2 * i] = x0 + noise * r.normal();
    X[2 * i + 1] = x1 + noise * r.normal();
    y[i] = c;
  }
  return {
    n,
    p: 2,
    X,
    y,
    classes: 2,
    featureNames: ["a1", "a2"],
    targetName: "class",
    classNames: ["upper moon", "lower moon"],
    source: `two moons n=${n}, seed=${seed}, noise=${noise}`,
  };
}

/**
 * XOR: points uniform on [−1, 1]², label 1[a1·a2 > 0] computed on the clean point, then Gaussian
 * jitter of standard deviation `noise` added to the features.
 */
export function xorData(n: number, seed: number, noise: number): Dataset {
  const r = new Rng(seed, STREAM_FEATURES);
  const X = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = 2 * r.uniform() - 1;
    const b = 2 * r.uniform() - 1;
    y[i] = a * b > 0 ? 1 : 0;
    X[2 * i] = a + noise * r.normal();
    X[2 * i + 1] = b + noise * r.normal();
  }
  return {
    n,
    p: 2,
    X,
    y,
    classes: 2,
    featureNames: ["a1", "a2"],
    targetName: "class",
    classNames: ["0", "1"],
    source: `XOR n=${n}, seed=${seed}, noise=${noise}`,
  };
}

/** Width of the hidden layer of the teacher network. */
export const TEACHER_WIDTH = 4;

/**
 * Teacher network: a_i ~ N(0, I_p), f*(a) = Σ_k v_k tanh(⟨w_k, a⟩) with TEACHER_WIDTH hidden units,
 * w_k ~ N(0, I_p/p), v_k ~ N(0, 1/TEACHER_WIDTH). Target: y = f*(a) + noise·ε for "linear"/"phase"
 * kinds, y = 1[f*(a) + noise·ε > 0] for "binary".
 */
export function teacherData(n: number, p: number, seed: number, noise: number, kind: TargetKind): Dataset {
  const rf = new Rng(seed, STREAM_FEATURES);
  const rt = new Rng(seed, STREAM_TARGET);
  const rp = new Rng(seed, STREAM_PLANT);
  const k = TEACHER_WIDTH;
  const W = new Float64Array(k * p);
  const v = new Float64Array(k);
  for (let j = 0; j < k * p; j++) W[j] = rp.normal() / Math.sqrt(p);
  for (let j = 0; j < k; j++) v[j] = rp.normal() / Math.sqrt(k);
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) X[i * p + j] = rf.normal();
    let f = 0;
    for (let h = 0; h < k; h++) {
      let z = 0;
      for (let j = 0; j < p; j++) z += W[h * p + j] * X[i * p + j];
      f += v[h] * Math.tanh(z);
    }
    const e = noise * rt.normal();
    y[i] = kind === "binary" ? (f + e > 0 ? 1 : 0) : f + e;
  }
  return {
    n,
    p,
    X,
    y,
    classes: kind === "binary" ? 2 : 0,
    featureNames: names("a", p),
    targetName: "y",
    classNames: kind === "binary" ? ["0", "1"] : undefined,
    source: `teacher network (tanh, width ${k}) n=${n}, p=${p}, seed=${seed}, noise=${noise}`,
  };
}

/** Fisher's Iris data set: 150 samples, 4 features (cm), 3 classes (setosa, versicolor, virginica). */
export function irisData(): Dataset {
  return {
    n: 150,
    p: 4,
    X: Float64Array.from(IRIS_X),
    y: Float64Array.from(IRIS_LABELS),
    classes: 3,
    featureNames: [...IRIS_FEATURES],
    targetName: "species",
    classNames: [...IRIS_CLASSES],
    source: "Iris (Fisher 1936), 150 samples, 4 features, 3 classes",
  };
}

/**
 * Parses CSV text (RFC 4180: comma separator, optional double quotes with "" as an escaped quote,
 * LF or CRLF line ends). Blank lines are skipped. Returns the rows with their 1-based line numbers.
 * `where` prefixes error messages (e.g. the file name).
 */
export function parseCsv(text: string, where = "csv"): { rows: string[][]; lines: number[] } {
  const rows: string[][] = [];
  const lines: number[] = [];
  let row: string[] = [];
  let field = "";
  let line = 1;
  let rowLine = 1;
  let inQuotes = false;
  let quotedField = false;
  let i = 0;
  const len = text.length;
  const endRow = () => {
    row.push(field);
    if (!(row.length === 1 && row[0].trim() === "" && !quotedField)) {
      rows.push(row);
      lines.push(rowLine);
    }
    row = [];
    field = "";
    quotedField = false;
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  while (i < len) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        // only a separator or a line end may follow a closing quote
        const nx = text[i];
        if (i < len && nx !== "," && nx !== "\n" && nx !== "\r") {
          throw new UserError(`unexpected character ${JSON.stringify(nx)} after a closing quote`, {
            where: `${where}: line ${line}, column ${row.length + 1}`,
          });
        }
        continue;
      }
      if (c === "\n") line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (field.trim() !== "") {
        throw new UserError(
          "a quote inside an unquoted field (quote the whole field and double inner quotes)",
          {
            where: `${where}: line ${line}, column ${row.length + 1}`,
          },
        );
      }
      field = "";
      inQuotes = true;
      quotedField = true;
      i++;
      continue;
    }
    if (c === ",") {
      row.push(field);
      field = "";
      quotedField = false;
      i++;
      continue;
    }
    if (c === "\r" || c === "\n") {
      endRow();
      if (c === "\r" && text[i + 1] === "\n") i++;
      i++;
      line++;
      rowLine = line;
      continue;
    }
    field += c;
    i++;
  }
  if (inQuotes) {
    throw new UserError("unterminated quoted field", { where: `${where}: line ${rowLine}` });
  }
  if (field !== "" || row.length > 0 || quotedField) endRow();
  return { rows, lines };
}

/** CSV cells are strict decimals: no empty cells, hex, binary or Infinity. */
const parseNumber = parseDecimal;

export interface CsvOptions {
  /** Name of the target column. */
  target: string;
  /** Feature columns (default: every column except the target). */
  features?: readonly string[];
  /**
   * How to read the target: true → class labels; false → real numbers (a non-numeric cell is an error
   * naming its line and column); undefined → numbers are real values, names are class labels, and a
   * column mixing the two is an error naming the first non-numeric cell.
   */
  classification?: boolean;
  /** Name used in error messages (e.g. the file path). */
  where?: string;
}

/**
 * Builds a Dataset from CSV text with a header row. Feature cells must be finite numbers.
 * The target is categorical when any cell is non-numeric or when `classification` is set: classes are
 * numbered in order of first appearance, except that integer targets 0..K−1 keep their values.
 * Errors (missing column, wrong cell count, non-numeric feature) are `UserError`s naming line and column.
 */
export function datasetFromCsv(text: string, opts: CsvOptions): Dataset {
  const where = opts.where ?? "csv";
  const { rows, lines } = parseCsv(text, where);
  if (rows.length === 0) throw new UserError("the CSV file is empty (a header row is needed)", { where });
  const header = rows[0].map((h) => h.trim());
  const seen = new Set<string>();
  for (let j = 0; j < header.length; j++) {
    if (header[j] === "") {
      throw new UserError("empty column name in the header", {
        where: `${where}: line ${lines[0]}, column ${j + 1}`,
      });
    }
    if (seen.has(header[j])) {
      throw new UserError(`duplicate column name ${JSON.stringify(header[j])}`, {
        where: `${where}: line ${lines[0]}, column ${j + 1}`,
      });
    }
    seen.add(header[j]);
  }
  const colOf = (name: string, what: string): number => {
    const j = header.indexOf(name);
    if (j < 0) {
      throw new UserError(`${what} column ${JSON.stringify(name)} is not in the header`, {
        where,
        hint: header.map((h) => JSON.stringify(h)).join(", "),
      });
    }
    return j;
  };
  const tcol = colOf(opts.target, "target");
  const fnames = opts.features ? [...opts.features] : header.filter((_, j) => j !== tcol);
  if (fnames.length === 0) throw new UserError("no feature columns", { where });
  const fcols = fnames.map((f) => colOf(f, "feature"));
  if (fcols.includes(tcol)) {
    throw new UserError(`the target column ${JSON.stringify(opts.target)} is also listed as a feature`, {
      where,
    });
  }
  const n = rows.length - 1;
  if (n === 0) throw new UserError("the CSV file has a header but no data rows", { where });
  const p = fcols.length;
  const X = new Float64Array(n * p);
  const raw: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = rows[i + 1];
    const line = lines[i + 1];
    if (row.length !== header.length) {
      throw new UserError(`expected ${header.length} cells (as in the header), found ${row.length}`, {
        where: `${where}: line ${line}`,
      });
    }
    for (let k = 0; k < p; k++) {
      const cell = row[fcols[k]];
      const v = parseNumber(cell);
      if (!Number.isFinite(v)) {
        throw new UserError(
          `${JSON.stringify(cell)} in column ${JSON.stringify(fnames[k])} is not a finite number`,
          {
            where: `${where}: line ${line}, column ${fcols[k] + 1}`,
          },
        );
      }
      X[i * p + k] = v;
    }
    raw[i] = row[tcol].trim();
  }
  const y = new Float64Array(n);
  const nums = raw.map(parseNumber);
  const allNumeric = nums.every((v) => Number.isFinite(v));
  let classes = 0;
  let classNames: string[] | undefined;
  const someNumeric = nums.some((v) => Number.isFinite(v));
  if (!allNumeric && (opts.classification === false || (opts.classification === undefined && someNumeric))) {
    // a regression target (or numbers with a stray word): a non-numeric cell must not make class labels
    const i = nums.findIndex((v) => !Number.isFinite(v));
    throw new UserError(
      `${JSON.stringify(raw[i])} in the target column ${JSON.stringify(opts.target)} is not a finite number (this model regresses on numbers)`,
      {
        where: `${where}: line ${lines[i + 1]}, column ${tcol + 1}`,
        hint: "a decimal number in every target cell, or a classifier (model: logistic, or mlp with output: softmax)",
      },
    );
  }
  if (allNumeric && !opts.classification) {
    y.set(nums);
  } else if (allNumeric && nums.every((v) => Number.isInteger(v) && v >= 0)) {
    // integer labels keep their values; every label 0..K−1 must occur
    const k = Math.max(...nums) + 1;
    const present = new Set(nums);
    for (let c = 0; c < k; c++) {
      if (!present.has(c)) {
        throw new UserError(
          `integer class labels must be 0..${k - 1} with every label present; ${c} never occurs`,
          {
            where: `${where}: column ${JSON.stringify(opts.target)}`,
          },
        );
      }
    }
    y.set(nums);
    classes = k;
    classNames = Array.from({ length: k }, (_, c) => String(c));
  } else if (allNumeric) {
    throw new UserError(
      `a classifier needs class labels, but column ${JSON.stringify(opts.target)} holds real numbers`,
      { where, hint: "integer labels 0..K−1 or class names" },
    );
  } else {
    const index = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      if (raw[i] === "") {
        throw new UserError(`empty class label in column ${JSON.stringify(opts.target)}`, {
          where: `${where}: line ${lines[i + 1]}, column ${tcol + 1}`,
        });
      }
      let c = index.get(raw[i]);
      if (c === undefined) {
        c = index.size;
        index.set(raw[i], c);
      }
      y[i] = c;
    }
    classes = index.size;
    classNames = [...index.keys()];
  }
  if (classes === 1) {
    throw new UserError(`the target column ${JSON.stringify(opts.target)} has a single class`, { where });
  }
  return {
    n,
    p,
    X,
    y,
    classes,
    featureNames: fnames,
    targetName: opts.target,
    classNames,
    source: `${where}: ${n} rows, features ${fnames.join(", ")}, target ${opts.target}`,
  };
}

/** Returns a copy of `d` with every feature shifted and scaled to mean 0 and (population) variance 1. */
export function standardize(d: Dataset): Dataset {
  const { n, p } = d;
  const X = Float64Array.from(d.X);
  for (let j = 0; j < p; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += X[i * p + j];
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (X[i * p + j] - m) ** 2;
    const s = Math.sqrt(v / n);
    const inv = s > 0 ? 1 / s : 1;
    for (let i = 0; i < n; i++) X[i * p + j] = (X[i * p + j] - m) * inv;
  }
  return { ...d, X, source: `${d.source}, standardized` };
}
