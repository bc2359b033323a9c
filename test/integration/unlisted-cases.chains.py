"""Independent reference values for test/integration/unlisted-cases.test.ts (not run by the tests).

Mean exit times of the *discrete* schemes themselves, by solving their Markov chains on a grid
(NumPy/SciPy, no sgdscope code):
  - em_bridge: one Euler–Maruyama step x -> N(x - L'(x) dt, A(x) dt) followed by the Brownian-bridge
    exit test p = exp(-2 d0 d1 / (A(x) dt)) (exit time interpolated at dt*d0/(d0+d1)), target x < bnd;
  - sgd_chain: x -> x - eta * g_batch(x) over all batches with their probabilities, exit at the first
    iterate in the target x > 0 (linear interpolation between nodes).
Run: python3 test/integration/unlisted-cases.chains.py   (~8 min on one core: the sparse LU of the SGD chain fills in)
"""
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spl


def em_bridge(Lp, A, x0, dt, bnd, hi, n=3000):
    x = np.linspace(bnd, hi, n + 1)[1:]
    h = x[1] - x[0]
    mu = x - Lp(x) * dt
    s2 = A(x) * dt
    Y = x[None, :]
    K = np.exp(-((Y - mu[:, None]) ** 2) / (2 * s2[:, None])) / np.sqrt(2 * np.pi * s2[:, None]) * h
    d0 = (x - bnd)[:, None]
    d1 = Y - bnd
    pc = np.exp(-2 * d0 * d1 / (A(x)[:, None] * dt))
    c = dt * (1 - (K * pc).sum(1)) + (K * pc * dt * d0 / (d0 + d1)).sum(1)
    return np.interp(x0, x, np.linalg.solve(np.eye(n) - K * (1 - pc), c))


def sgd_chain(eta, batches, x0=-1.0, lo=-3.0, n=20000):
    x = np.linspace(lo, 0, n + 1)
    h = x[1] - x[0]
    rows, cols, vals = [], [], []
    for w, g in batches:
        y = x - eta * g(x)
        idx = np.nonzero(y <= 0)[0]
        y = np.clip(y, lo, 0)
        k = np.clip(np.floor((y - lo) / h).astype(int), 0, n - 1)
        f = (y - lo) / h - k
        rows += [idx, idx]
        cols += [k[idx], k[idx] + 1]
        vals += [w * (1 - f[idx]), w * f[idx]]
    P = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n + 1, n + 1))
    u = spl.spsolve(sp.identity(n + 1, format="csr") - P, eta * np.ones(n + 1))
    return np.interp(x0, x, u)


dw = lambda y: y**3 - y
# 3-D separable case, x-marginal mirrored (y = -x): target y < 0 from y = 1.
for dt in (0.05, 0.025):
    print("separable, EM+bridge dt =", dt, em_bridge(dw, lambda y: 0.5 * (0.4 + 0.2 * y**2), 1.0, dt, 0.0, 3.0))
# Finite sum, Sigma(x) = (8 - 3.2x + 1.28x^2)/3; eta = 0.2, B = 2 without replacement: A = eta*Sigma/4.
S = lambda y: (8 + 3.2 * y + 1.28 * y**2) / 3  # mirrored
print("finite sum, EM+bridge dt = 0.02", em_bridge(dw, lambda y: 0.05 * S(y), 1.0, 0.02, 0.0, 3.0))
l = [lambda x: dw(x) + 2, lambda x: dw(x) - 2 + 0.8 * x, lambda x: dw(x) - 0.8 * x]
pairs = [(1 / 3, (lambda i, j: lambda x: (l[i](x) + l[j](x)) / 2)(i, j)) for i, j in ((0, 1), (0, 2), (1, 2))]
for n in (20000, 40000):
    print("finite sum, SGD chain B = 2 w/o replacement, eta = 0.2, nodes", n, sgd_chain(0.2, pairs, n=n))
