"""SciPy side of bench/pde.js: loads the exact matrix A = -Q_D and right-hand side b that sgdscope built
(raw little-endian files written by bench/pde.js) and times scipy.sparse.linalg.spsolve (SuperLU, COLAMD).
Usage: python3 bench/pde_scipy.py PREFIX [REPEATS]   (median of REPEATS solves; reads PREFIX.rowptr/.colidx/.values/.b/.x)
Prints one JSON line: spsolve seconds, relative residual, max relative difference to sgdscope's solution.
"""
import json, sys, time
import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as spla

prefix = sys.argv[1]
rowptr = np.fromfile(prefix + ".rowptr", dtype="<i4")
colidx = np.fromfile(prefix + ".colidx", dtype="<i4")
values = np.fromfile(prefix + ".values", dtype="<f8")
b = np.fromfile(prefix + ".b", dtype="<f8")
xs = np.fromfile(prefix + ".x", dtype="<f8")
n = len(rowptr) - 1
A = sp.csr_matrix((values, colidx, rowptr), shape=(n, n))
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 1
t0 = time.perf_counter()
Acsc = A.tocsc()
t1 = time.perf_counter()
times = []
for _ in range(repeats):
    ta = time.perf_counter()
    u = spla.spsolve(Acsc, b)
    times.append(time.perf_counter() - ta)
times.sort()
rel = float(np.linalg.norm(b - A @ u) / np.linalg.norm(b))
diff = float(np.max(np.abs(u - xs) / np.abs(u)))
print(json.dumps({"scipy": scipy.__version__, "n": n, "nnz": int(A.nnz), "spsolve_s": times[len(times) // 2],
                  "spsolve_s_all": times,
                  "tocsc_s": t1 - t0, "rel_residual": rel, "max_rel_diff_to_sgdscope": diff}))
