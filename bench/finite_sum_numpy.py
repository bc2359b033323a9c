"""NumPy baseline for bench/finite-sum.js: real minibatch SGD on a finite sum of N expression samples.

Samples l_i(x, y) = (x^2 - 1)^2 / 4 + y^2 / 2 + a_i x + b_i y + c_i x y (coefficients from the JS side), so the
minibatch mean gradient is (x(x^2 - 1) + A + C y, y + Bc + C x) with (A, Bc, C) the batch means of (a, b, c).
How it was made fast (what a competent NumPy user writes):
  - the gradient is linear in the sample coefficients, so a batch is represented by its mean coefficients;
  - when the batch's law is uniform on a small set (<= 2^16 outcomes: the subsets of size B for sampling without
    replacement, the ordered B-tuples with replacement), the mean coefficients of every outcome are tabulated
    once, and each step is ONE integer draw per particle and ONE gather (np.take into preallocated (3, M) rows);
  - otherwise (with replacement, N^B large) each step draws B indices per particle and gathers (M, B) entries
    of each coefficient, summed over the batch (the smallest per-sample work);
  - the update is in-place ufuncs on preallocated float64 arrays; PCG64 integers.
Usage: python3 finite_sum_numpy.py M K B replacement(0/1) a,b,c;a,b,c;...   Prints one JSON line.
"""
import itertools
import json
import math
import sys
import time

import numpy as np

M = int(sys.argv[1])
K = int(sys.argv[2])
B = int(sys.argv[3])
replacement = sys.argv[4] == "1"
coef = np.array([[float(v) for v in s.split(",")] for s in sys.argv[5].split(";")])  # (N, 3)
N = coef.shape[0]
eta = 0.1

rng = np.random.default_rng(1)
outcomes = N**B if replacement else math.comb(N, B)
table = None
if outcomes <= 65536:
    combos = itertools.product(range(N), repeat=B) if replacement else itertools.combinations(range(N), B)
    idx = np.array(list(combos), dtype=np.int64).reshape(outcomes, B)
    table = np.ascontiguousarray(coef[idx].mean(axis=1).T)  # (3, outcomes): mean a, b, c of each batch
else:
    ct = np.ascontiguousarray(coef.T)  # (3, N)

x = np.full(M, -1.0)
y = np.zeros(M)
cb = np.empty((3, M))
t = np.empty(M)
u = np.empty(M)
gath = np.empty((M, B))

t0 = time.perf_counter()
c0 = time.process_time()
for _ in range(K):
    if table is not None:
        k = rng.integers(0, outcomes, size=M)
        np.take(table, k, axis=1, out=cb)
    else:
        k = rng.integers(0, N, size=(M, B))
        for r in range(3):
            np.take(ct[r], k, out=gath)
            np.mean(gath, axis=1, out=cb[r])
    # gx = x (x^2 - 1) + A + C y ;  gy = y + Bc + C x   (both at the old point)
    np.multiply(x, x, out=t)
    t -= 1.0
    t *= x
    t += cb[0]
    np.multiply(cb[2], y, out=u)
    t += u
    np.multiply(cb[2], x, out=u)
    u += cb[1]
    u += y
    # x -= eta gx ; y -= eta gy
    t *= eta
    x -= t
    u *= eta
    y -= u
elapsed = time.perf_counter() - t0
cpu = time.process_time() - c0
n = len(x)
print(json.dumps({"impl": "numpy", "numpy": np.__version__, "particles": M, "steps": K, "seconds": elapsed,
                  "particle_steps_per_s": M * K / elapsed,
                  "cpu_seconds": cpu, "particle_steps_per_cpu_s": M * K / cpu, "outcomes_tabulated": table is not None,
                  "mean_x": float(x.mean()), "sd_x": float(x.std(ddof=1)),
                  "mean_y": float(y.mean()), "sd_y": float(y.std(ddof=1))}))
