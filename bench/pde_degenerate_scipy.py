"""SciPy side of bench/pde-degenerate.js: loads the exact matrix A = -Q_D and right-hand side b that sgdscope built
(raw little-endian CSR files) and solves it once with scipy.sparse.linalg.spsolve (SuperLU, COLAMD ordering).
Usage: python3 bench/pde_degenerate_scipy.py PREFIX START_INDEX   (reads PREFIX.rowptr/.colidx/.values/.b/.x)
Prints one JSON line: wall and CPU seconds, peak RSS growth during the solve (VmHWM after resetting it through
/proc/self/clear_refs, minus the RSS before), relative residual ‖b − Au‖₂/‖b‖₂, SuperLU's warnings, the exit time at the start node,
and the max relative difference to sgdscope's nd-lu solution.
"""
import json, resource, sys, time, warnings
import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as spla

prefix = sys.argv[1]
start = int(sys.argv[2])
rowptr = np.fromfile(prefix + ".rowptr", dtype="<i4")
colidx = np.fromfile(prefix + ".colidx", dtype="<i4")
values = np.fromfile(prefix + ".values", dtype="<f8")
b = np.fromfile(prefix + ".b", dtype="<f8")
xs = np.fromfile(prefix + ".x", dtype="<f8")
n = len(rowptr) - 1
A = sp.csr_matrix((values, colidx, rowptr), shape=(n, n))
Acsc = A.tocsc()


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def peak_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


r0 = rss_bytes()
try:  # reset the peak-RSS mark (Linux ≥ 4.0) so that the peak below is the solve's own
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
except OSError:
    pass
peak0 = peak_bytes()
c0 = time.process_time()
t0 = time.perf_counter()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    u = spla.spsolve(Acsc, b)
t1 = time.perf_counter()
c1 = time.process_time()
peak1 = peak_bytes()
finite = bool(np.all(np.isfinite(u)))
rel = float(np.linalg.norm(b - A @ u) / np.linalg.norm(b)) if finite else None
ok = np.isfinite(xs) & np.isfinite(u) & (u != 0)
diff = float(np.max(np.abs(u[ok] - xs[ok]) / np.abs(u[ok]))) if finite and ok.any() else None
print(json.dumps({
    "scipy": scipy.__version__, "n": n, "nnz": int(A.nnz),
    "spsolve_s": t1 - t0, "spsolve_cpu_s": c1 - c0,
    "peak_rss_growth_bytes": max(0, peak1 - r0),
    "rel_residual": rel, "finite": finite,
    "warnings": [str(w.message)[:200] for w in caught],
    "met_at_start": float(u[start]) if finite else None,
    "max_abs_solution": float(np.max(np.abs(u))) if finite else None,
    "max_rel_diff_to_sgdscope": diff,
}))
