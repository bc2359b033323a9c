"""NumPy baseline for bench/noise-models.js: Euler–Maruyama for the SDE with state-dependent noise, one case
per run, from (-0.5, 0.5), on L(x, y) = (x^2 - 1)^2/4 + y^2/2 + sin(x y)/3 (or N literal-only samples for 'empirical').

  X += -dt * drift(X) + sqrt(eta * dt / B) * G(X) Z,   G G^T = Sigma(X),   eta = 0.1, dt = 0.01, B = 1

How it was made fast (what a competent NumPy user writes): vectorised over particles, coordinates as separate
contiguous float64 arrays, the 2x2 PSD square root in closed form (one rotation: angle from arctan2, eigenvalues
clipped at 0 as sgdscope does), the empirical factor as two (N x M) products with one block of N normals, PCG64 +
ziggurat normals drawn in one call per step.
3-D cases (hessian3, matrix3; L + z^2/2 + x z/4 from (-0.5, 0.5, 0.2)): Sigma filled into one preallocated
(M, 3, 3) array, np.linalg.eigh on the stack (LAPACK per matrix, no Python loop), eigenvalues clipped at 0,
G z = V (sqrt(lambda) * z) by einsum.
Usage: python3 noise_models_numpy.py CASE M K [a,b,c;...]
CASE in hessian, loss, matrix, empirical, sde2, hessian3, matrix3.
Prints one JSON line.
"""
import json
import sys
import time

import numpy as np

case, M, K = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
eta, dt, B = 0.1, 0.01, 1
s = np.sqrt(eta * dt / B)
rng = np.random.default_rng(1)
x = np.full(M, -0.5)
y = np.full(M, 0.5)
three = case.endswith("3")
if three:
    zc = np.full(M, 0.2)
    S = np.zeros((M, 3, 3))
if case == "empirical":
    coef = np.array([[float(v) for v in r.split(",")] for r in sys.argv[4].split(";")])
    N = coef.shape[0]
    dev = coef - coef.mean(axis=0)  # per-sample deviations of (a, b, c)
    da, db, dc = (np.ascontiguousarray(dev[:, k]) / np.sqrt(N) for k in range(3))
    cm = coef.mean(axis=0)


def sqrt2(a, b, d, z0, z1):
    """G z for G = V diag(sqrt(max(lambda, 0))) with [[a, b], [b, d]] = V diag(lambda) V^T."""
    th = 0.5 * np.arctan2(2 * b, a - d)
    c, sn = np.cos(th), np.sin(th)
    l1 = a * c * c + 2 * b * c * sn + d * sn * sn
    l2 = a * sn * sn - 2 * b * c * sn + d * c * c
    r1 = np.sqrt(np.maximum(l1, 0)) * z0
    r2 = np.sqrt(np.maximum(l2, 0)) * z1
    return c * r1 - sn * r2, sn * r1 + c * r2


t0 = time.perf_counter()
for _ in range(K):
    if three:
        z = rng.standard_normal((M, 3))
        xy = x * y
        sxy, cxy = np.sin(xy), np.cos(xy)
        gx = x * (x * x - 1) + y * cxy / 3 + zc / 4
        gy = y + x * cxy / 3
        gz = zc + x / 4
        if case == "hessian3":
            S[:, 0, 0] = 3 * x * x - 1 - y * y * sxy / 3
            S[:, 0, 1] = S[:, 1, 0] = cxy / 3 - xy * sxy / 3
            S[:, 0, 2] = S[:, 2, 0] = 0.25
            S[:, 1, 1] = 1 - x * x * sxy / 3
            S[:, 2, 2] = 1.0
        else:
            S[:, 0, 0] = 0.4 + 0.1 * x * x
            S[:, 0, 1] = S[:, 1, 0] = 0.1 * xy
            S[:, 0, 2] = S[:, 2, 0] = 0.05
            S[:, 1, 1] = 0.3 + 0.1 * y * y
            S[:, 1, 2] = S[:, 2, 1] = 0.02 * zc
            S[:, 2, 2] = 0.5
        w, V = np.linalg.eigh(S)
        n = np.einsum("mij,mj->mi", V, np.sqrt(np.maximum(w, 0)) * z)
        x += -dt * gx + s * n[:, 0]
        y += -dt * gy + s * n[:, 1]
        zc += -dt * gz + s * n[:, 2]
        continue
    if case == "empirical":
        Z = rng.standard_normal((N, M))
        gx = x * (x * x - 1) + cm[0] + cm[2] * y
        gy = y + cm[1] + cm[2] * x
        nx = da @ Z + y * (dc @ Z)
        ny = db @ Z + x * (dc @ Z)
    else:
        z = rng.standard_normal((2, M))
        xy = x * y
        sxy, cxy = np.sin(xy), np.cos(xy)
        gx = x * (x * x - 1) + y * cxy / 3
        gy = y + x * cxy / 3
        if case in ("hessian", "sde2"):
            hxx = 3 * x * x - 1 - y * y * sxy / 3
            hyy = 1 - x * x * sxy / 3
            hxy = cxy / 3 - xy * sxy / 3
        if case == "hessian":
            nx, ny = sqrt2(hxx, hxy, hyy, z[0], z[1])
        elif case == "matrix":
            nx, ny = sqrt2(0.4 + 0.1 * x * x, 0.1 * xy, 0.3 + 0.1 * y * y, z[0], z[1])
        elif case == "loss":
            L = (x * x - 1) ** 2 / 4 + y * y / 2 + sxy / 3
            r = np.sqrt(np.maximum(L, 0))
            nx, ny = r * z[0], r * z[1]
        else:  # sde2: drift (I + (eta/2) H) grad L, isotropic noise
            gx, gy = gx + 0.5 * eta * (hxx * gx + hxy * gy), gy + 0.5 * eta * (hxy * gx + hyy * gy)
            nx, ny = z[0], z[1]
    x += -dt * gx + s * nx
    y += -dt * gy + s * ny
elapsed = time.perf_counter() - t0
print(json.dumps({"impl": "numpy", "numpy": np.__version__, "case": case, "particles": M, "steps": K,
                  "seconds": elapsed, "particle_steps_per_s": M * K / elapsed,
                  "mean_x": float(x.mean()), "sd_x": float(x.std(ddof=1))}))
