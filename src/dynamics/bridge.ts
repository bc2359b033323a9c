/**
 * The Brownian-bridge exit correction (see simulate.ts): after an SDE step that stays outside the target,
 * the path between the two grid points crosses the (locally flat) boundary with probability
 * p = exp(−E), E = 2·d₀·d₁ / (a_n·dt). The test draws a 53-bit uniform q and exits when q < p.
 *
 * When E ≥ 53·ln 2 (p ≤ 2⁻⁵³, the uniform's resolution) the crossing is treated as impossible and no
 * uniform is drawn: the exit probability changes by at most 2⁻⁵³ per step (q < p could then only hold
 * for q = 0), and the common case — a particle far from the boundary — costs neither an exp nor two
 * random numbers.
 */
export const BRIDGE_NEGLIGIBLE_EXPONENT = 53 * Math.LN2;
