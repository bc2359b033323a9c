"""Time scipy.sparse.linalg.spsolve on the 2-D exit-time system Q_D u = -1.

Builds the same matrix as bench/linalg-bench.js: Scharfetter-Gummel 5-point generator of
dX = -grad L dt + sqrt(2 eps) dW, L = (x^2-1)^2/4 + y^2/2, eps = 0.05, on an N x N grid of
[-2,2]^2 with reflecting walls, absorbing at x > 0. Usage: python3 bench/linalg-scipy.py [N] [absorb]
Prints one JSON line.
"""
import json, sys, time
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

N = int(sys.argv[1]) if len(sys.argv) > 1 else 512
absorb = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
eps = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05
xs = np.linspace(-2, 2, N)
h = xs[1] - xs[0]
X, Y = np.meshgrid(xs, xs, indexing="xy")  # X[j,i] = xs[i]
L = (X**2 - 1) ** 2 / 4 + Y**2 / 2
Lf = L.ravel()  # index i + N*j
n = N * N


def B(z):
    out = np.ones_like(z)
    m = np.abs(z) > 1e-12
    out[m] = z[m] / np.expm1(z[m])
    out[~m] = 1 - z[~m] / 2
    return out


rows, cols, vals = [], [], []
idx = np.arange(n).reshape(N, N)
for di, dj in [(1, 0), (-1, 0), (0, 1), (0, -1)]:
    jj, ii = np.meshgrid(np.arange(N), np.arange(N), indexing="ij")
    ti, tj = ii + di, jj + dj
    ok = (ti >= 0) & (ti < N) & (tj >= 0) & (tj < N)
    src = idx[jj[ok], ii[ok]]
    dst = idx[tj[ok], ti[ok]]
    rate = (eps / h**2) * B((Lf[dst] - Lf[src]) / eps)
    rows.append(src); cols.append(dst); vals.append(rate)
rows = np.concatenate(rows); cols = np.concatenate(cols); vals = np.concatenate(vals)
Q = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
Q = Q - sp.diags(np.asarray(Q.sum(axis=1)).ravel())
keep = X.ravel() <= absorb
QD = Q[keep][:, keep].tocsc()
b = -np.ones(QD.shape[0])
t0 = time.perf_counter()
c0 = time.process_time()
u = spla.spsolve(QD, b)
c1 = time.process_time()
t1 = time.perf_counter()
rel = np.linalg.norm(b - QD @ u) / np.linalg.norm(b)
j0 = np.argmin(np.abs(xs + 1)); i0 = np.argmin(np.abs(xs + 1))
kk = np.flatnonzero(keep)
pos = np.searchsorted(kk, i0 + N * (N // 2))
print(json.dumps({"N": N, "unknowns": int(QD.shape[0]), "nnz": int(QD.nnz), "spsolve_s": t1 - t0, "spsolve_cpu_s": c1 - c0,
                  "rel_residual": float(rel), "u_max": float(u.max()), "u_at_(-1,0)": float(u[pos])}))
