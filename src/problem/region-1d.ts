/**
 * Where a 1-D region begins along a line: shared by the exact 1-D exit-time formula, the 1-D bounds and
 * the analysis of escapes.
 */

/**
 * The first point of `inside` met when walking from x0 towards `end` (scanned at `samples` evenly spaced
 * points, then bisected to machine precision), or undefined if the region is not met. `inside` reads x[0].
 */
export function firstEntry1d(
  inside: (x: Float64Array) => boolean,
  x0: number,
  end: number,
  samples = 20000,
): number | undefined {
  if (end === x0) return undefined;
  const x = new Float64Array(1);
  const isIn = (v: number) => {
    x[0] = v;
    return inside(x);
  };
  let prev = x0;
  for (let k = 1; k <= samples; k++) {
    const v = x0 + ((end - x0) * k) / samples;
    if (isIn(v)) {
      let a = prev;
      let b = v;
      for (let it = 0; it < 100 && a !== b; it++) {
        const c = 0.5 * (a + b);
        if (c === a || c === b) break;
        if (isIn(c)) b = c;
        else a = c;
      }
      return b;
    }
    prev = v;
  }
  return undefined;
}
