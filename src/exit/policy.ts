/**
 * The engine's defaults, decided once (issue 11): the SDE time step and the Monte Carlo horizon.
 * Every command and `analyze` use these; where a caller overrides them, the result says so.
 */

/**
 * Default Euler–Maruyama step for the SDEs (sde, sde2), in SDE time: η/10. The O(dt) bias of a mean exit time
 * at this step is measured, not assumed: `exit-time` reruns at 2·dt (`dtCheck`) and reports the difference.
 */
export function defaultSdeStep(lr: number): number {
  return lr / 10;
}

/**
 * Monte Carlo horizon from a deterministic prediction T of the mean exit time: 16·T. For an exponential exit
 * time P(τ > 16·E τ) = e⁻¹⁶ ≈ 1e-7, so a few thousand particles are rarely censored, and only the survivors
 * pay for the long horizon. Without a trustworthy prediction the caller's fallback is used (and said so).
 */
export const HORIZON_FACTOR = 16;
