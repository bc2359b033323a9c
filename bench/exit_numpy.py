"""NumPy baseline for bench/exit.js: SDE exit times with the Brownian-bridge correction, 1-D double well.

L(x) = x^4/4 - x^2/2, isotropic noise: X += -dt (X^3 - X) + sqrt(eta*dt*sigma2/B) Z, from x = -1, target x > 0.
After a step that stays outside (x0, x1 < 0) the path crossed 0 with probability exp(-2 x0 x1 / (a dt)),
a = eta*sigma2/B (the same correction sgdscope applies). Vectorised over the particles still running
(the usual NumPy form: the active set is compacted every step). Prints one JSON line.
"""
import json
import sys
import time

import numpy as np

M = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
K = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
eta, dt, sigma2, B = 0.2, 0.02, 1.0, 1
a = eta * sigma2 / B
s = np.sqrt(a * dt)

rng = np.random.default_rng(1)
t0 = time.perf_counter()
x = np.full(M, -1.0)
idx = np.arange(M)
exit_time = np.full(M, np.inf)
steps_done = 0
for k in range(1, K + 1):
    n = x.size
    if n == 0:
        break
    steps_done += n
    x0 = x
    x = x0 - dt * (x0 * x0 * x0 - x0) + s * rng.standard_normal(n)
    inside = x > 0
    # bridge between x0 < 0 and x < 0: crossing probability exp(-2 d0 d1 / (a dt)), d = distance to 0
    p = np.exp(-2.0 * x0 * x / (a * dt))
    crossed = ~inside & (rng.random(n) < p)
    t_in = k * dt
    t_cross = (k - 1) * dt + dt * (-x0) / (-x0 - x)
    done = inside | crossed
    if done.any():
        exit_time[idx[inside]] = t_in
        exit_time[idx[crossed]] = t_cross[crossed]
        keep = ~done
        x = x[keep]
        idx = idx[keep]
elapsed = time.perf_counter() - t0
fin = exit_time[np.isfinite(exit_time)]
print(json.dumps({"impl": "numpy", "numpy": np.__version__, "particles": M, "exited": int(fin.size),
                  "particle_steps": steps_done, "seconds": elapsed, "particle_steps_per_s": steps_done / elapsed,
                  "mean": float(fin.mean()), "std": float(fin.std(ddof=1))}))
