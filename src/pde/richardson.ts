/**
 * Error estimate of a grid quantity from a sequence of grids refined by a constant factor (Richardson).
 *
 * With values T₀, T₁, T₂ on grids with spacing h, h/ρ, h/ρ² and T_k ≈ T + C·h_k^p, the ratio of successive
 * differences r = (T₁ − T₀)/(T₂ − T₁) ≈ ρ^p gives the observed order p = log r / log ρ and the remaining error of
 * the finest value T₂ − T ≈ (T₂ − T₁)/(r − 1). The estimate used is SAFETY·|T₂ − T₁|/(min(r, ρ⁴) − 1) — the
 * factor 1.5 covering the ±20% scatter of Richardson seen in the tests, r capped at ρ⁴ so an accidental near
 * cancellation cannot shrink it — and, when the three values do not converge monotonically (r ≤ 1.2 or the
 * differences change sign) or converge faster than the schemes can (observed order above TRUSTED_ORDER: two error
 * terms of opposite sign cancelling on coarse grids, a pre-asymptotic sequence whose last difference says nothing
 * about the remaining error), 2·max(|T₂ − T₁|, |T₁ − T₀|), flagged.
 *
 * Measured case for the order cap (validation loss-1d, 1-D loss-proportional noise): grids 1001/2002/4003 give
 * differences with r = 18 (order 4.2) and a Richardson error of 1.3e-6, while the true error of the 4003 value is
 * 4.1e-5 (finer grids then converge at order 1.1); the fallback gives 4.7e-4.
 */

/** Highest order the grid schemes reach (second-order stencils); a faster observed order is not trusted. */
export const TRUSTED_ORDER = 2.5;

/** Safety factor on the Richardson remainder. */
export const RICHARDSON_SAFETY = 1.5;

export interface RichardsonEstimate {
  /** The finest value. */
  value: number;
  /** Estimated |value − limit| (same units as the values); +∞ when fewer than two finite values. */
  errorEstimate: number;
  /** log r / log ρ when the last three values converge monotonically, else null. */
  observedOrder: number | null;
  /** Richardson-extrapolated limit value + (T₂ − T₁)/(r − 1), or null. */
  extrapolated: number | null;
  /** The last three values converge monotonically (r > 1.2). */
  monotone: boolean;
}

/**
 * Richardson estimate from `values` on grids refined by `ratio` each time (coarsest first; the last three are
 * used; with two values the estimate is 2·|T₁ − T₀|, not monotone).
 */
export function richardson(values: readonly number[], ratio = 2): RichardsonEstimate {
  const n = values.length;
  const value = n > 0 ? values[n - 1] : Number.NaN;
  if (n < 2 || !values.slice(-3).every(Number.isFinite))
    return {
      value,
      errorEstimate: Number.POSITIVE_INFINITY,
      observedOrder: null,
      extrapolated: null,
      monotone: false,
    };
  const d2 = values[n - 1] - values[n - 2];
  if (n < 3)
    return {
      value,
      errorEstimate: 2 * Math.abs(d2),
      observedOrder: null,
      extrapolated: null,
      monotone: false,
    };
  const d1 = values[n - 2] - values[n - 3];
  if (d2 === 0 && d1 === 0)
    return { value, errorEstimate: 0, observedOrder: null, extrapolated: value, monotone: true };
  const r = d2 !== 0 ? d1 / d2 : Number.POSITIVE_INFINITY;
  if (r > 1.2 && r <= ratio ** TRUSTED_ORDER) {
    const rc = Math.min(r, ratio ** 4);
    return {
      value,
      errorEstimate: (RICHARDSON_SAFETY * Math.abs(d2)) / (rc - 1),
      observedOrder: Number.isFinite(r) ? Math.log(r) / Math.log(ratio) : null,
      extrapolated: value + d2 / (rc - 1),
      monotone: true,
    };
  }
  return {
    value,
    errorEstimate: 2 * Math.max(Math.abs(d2), Math.abs(d1)),
    observedOrder: null,
    extrapolated: null,
    monotone: false,
  };
}
