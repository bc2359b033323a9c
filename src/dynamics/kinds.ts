/**
 * The particle dynamics sgdscope simulates, with one line each (shown by --help and the exit-time registry,
 * whose particle methods are exactly these).
 */
export const DYNAMICS = ["sgd", "sde", "sde2", "noisy-sgd", "gd"] as const;
export type DynamicsKind = (typeof DYNAMICS)[number];

export const DYNAMICS_SUMMARY: Record<DynamicsKind, string> = {
  sgd: "real minibatch SGD (Monte Carlo, 95% interval)",
  sde: "order-1 SDE by Euler–Maruyama with the Brownian-bridge exit correction",
  sde2: "order-2 stochastic modified equation (Euler–Maruyama)",
  "noisy-sgd": "SGD with added Gaussian noise N(0, 2δη I) per step",
  gd: "plain gradient descent (exits only if the flow leads there)",
};
