"""NumPy baseline for bench/particles.js: the identical Euler–Maruyama update on the same loss.

L(x, y) = (x^2 - 1)^2 / 4 + y^2 / 2, isotropic noise: X += -dt * grad L + sqrt(eta*dt*sigma2/B) * Z.
Vectorised over particles with in-place ufuncs (the fastest plain-NumPy form), PCG64 + ziggurat normals.
Prints one JSON line: particle-steps per second.
"""
import json
import sys
import time

import numpy as np

M = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
K = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
eta, dt, sigma2, B = 0.1, 0.1, 1.0, 1
s = np.sqrt(eta * dt * sigma2 / B)

rng = np.random.default_rng(1)
x = np.full(M, -1.0)
y = np.zeros(M)
z = np.empty((2, M))
t = np.empty(M)

t0 = time.perf_counter()
for _ in range(K):
    rng.standard_normal(out=z)
    # x += -dt * x (x^2 - 1) + s z0
    np.multiply(x, x, out=t)
    t -= 1.0
    t *= x
    t *= -dt
    x += t
    z *= s
    x += z[0]
    # y += -dt * y + s z1
    y *= 1.0 - dt
    y += z[1]
elapsed = time.perf_counter() - t0
print(json.dumps({"impl": "numpy", "numpy": np.__version__, "particles": M, "steps": K, "seconds": elapsed,
                  "particle_steps_per_s": M * K / elapsed, "mean_x": float(x.mean())}))
