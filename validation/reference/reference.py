"""Independent references for the validation cases (validation/cases.json), NumPy/SciPy/SymPy only.

Run once (long; in the background with `nice`), from the repository root:

    nice python3 validation/reference/reference.py [--only ID,ID] [--particles N]

For each case it writes validation/reference/results/<id>.json with:

- `sde`: the mean exit time of the order-1 SDE dX = -grad L dt + (eta Sigma_B(X))^{1/2} dW by Euler-Maruyama with
  the Brownian-bridge crossing correction (exact for the flat boundary of a half-space target), at a step dt_ref
  and, on the same Brownian paths (coupled), at 2 dt_ref. The bias of the dt_ref value is estimated by the paired
  difference T(dt_ref) - T(2 dt_ref) (first order in dt); the reference interval is the 95% t-interval of the
  dt_ref mean widened by |difference| + 1.96 se(difference). This is the reference for the pde, bounds, kramers
  and sde methods (all of them model the SDE).
- `sgd`: the mean exit time (SDE time = eta x iterations) of NumPy Markov chains of the SGD scheme itself
  (Gaussian noise N(0, Sigma_B) for analytic losses; real minibatches, with or without replacement, for finite
  sums), exits checked at the iterates.
- `exact` (1-D): the double integral E tau = int s int m of the scale/speed densities of A = eta Sigma_B on the
  problem's domain (reflecting at the far end), by adaptive quadrature; for an interpolating minimum, the
  probability of ever reaching the target (if < 1 the MET is infinite).

Everything (gradients, Hessians, noise factors) is derived here from the case's expressions with SymPy; nothing
is taken from sgdscope. Conventions: docs/conventions.md.
"""

import argparse
import json
import math
import os
import re
import sys
import time

import numpy as np
import sympy as sp
from scipy import integrate

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VARS = ["x", "y", "z"]


def sym(expr, xs):
    e = sp.sympify(expr.replace("^", "**"), locals={v.name: v for v in xs})
    return e


class Model:
    """Gradient, noise factor G (A = eta Sigma_B = G G^T) and per-sample gradients of one case."""

    def __init__(self, prob):
        self.prob = prob
        self.d = len(prob["domain"])
        xs = sp.symbols(VARS[: self.d])
        self.xs = xs
        self.eta = prob["lr"]
        self.B = prob["batch"]
        loss = prob["loss"]
        lam = lambda e: sp.lambdify(xs, e, "numpy")
        if isinstance(loss, dict):
            samples = [sym(s, xs) for s in loss["samples"]]
            self.N = len(samples)
            L = sum(samples) / self.N
            self.sample_grads = [[lam(sp.diff(s, v)) for v in xs] for s in samples]
            self.noise = "empirical"
            repl = prob.get("replacement", True)
            self.batch_scale = 1 / self.B if repl else (self.N - self.B) / (self.B * (self.N - 1))
            self.replacement = repl
        else:
            L = sym(loss, xs)
            self.N = 1
            self.noise = prob["noise"]
            self.batch_scale = 1 / self.B
        self.L = lam(L)
        self.grad = [lam(sp.diff(L, v)) for v in xs]
        self.hess = [[lam(sp.diff(L, a, b)) for b in xs] for a in xs]
        if isinstance(self.noise, dict) and "diagonal" in self.noise:
            self.diag = [lam(sym(str(v), xs)) for v in self.noise["diagonal"]]
        if isinstance(self.noise, dict) and "matrix" in self.noise:
            self.mat = [[lam(sym(str(v), xs)) for v in row] for row in self.noise["matrix"]]

    @staticmethod
    def _ev(f, X):
        v = f(*[X[:, k] for k in range(X.shape[1])])
        return np.broadcast_to(np.asarray(v, dtype=float), (X.shape[0],))

    def gradient(self, X):
        return np.stack([self._ev(g, X) for g in self.grad], axis=1)

    def sigma_factor(self, X):
        """F with Sigma(X) = F F^T (per-sample covariance before batch scaling), shape (n, d, r)."""
        n, d = X.shape
        nz = self.noise
        if nz == "empirical":
            g = self.gradient(X)
            cols = [np.stack([self._ev(f, X) for f in sg], axis=1) - g for sg in self.sample_grads]
            return np.stack(cols, axis=2) / math.sqrt(self.N)
        if "isotropic" in nz:
            return np.broadcast_to(math.sqrt(nz["isotropic"]) * np.eye(d), (n, d, d))
        if "diagonal" in nz:
            v = np.stack([self._ev(f, X) for f in self.diag], axis=1)
            F = np.zeros((n, d, d))
            F[:, np.arange(d), np.arange(d)] = np.sqrt(np.maximum(v, 0))
            return F
        if "loss" in nz:
            s = np.sqrt(nz["loss"] * np.maximum(self._ev(self.L, X), 0))
            return s[:, None, None] * np.eye(d)[None]
        if "matrix" in nz or "hessian" in nz:
            if "matrix" in nz:
                S = np.stack([np.stack([self._ev(f, X) for f in row], axis=1) for row in self.mat], axis=1)
            else:
                S = nz["hessian"] * np.stack([np.stack([self._ev(f, X) for f in row], axis=1) for row in self.hess], axis=1)
            w, V = np.linalg.eigh(S)
            return V * np.sqrt(np.maximum(w, 0))[:, None, :]
        raise ValueError(f"noise {nz}")

    def sgd_gradient(self, X, rng):
        """One stochastic gradient per particle: real minibatches (finite sums) or grad L + N(0, Sigma_B)."""
        n = X.shape[0]
        if self.noise == "empirical":
            if self.replacement:
                idx = rng.integers(0, self.N, size=(n, self.B))
            else:
                idx = np.argsort(rng.random((n, self.N)), axis=1)[:, : self.B]
            per = np.stack([np.stack([self._ev(f, X) for f in sg], axis=1) for sg in self.sample_grads], axis=1)
            return np.take_along_axis(per, idx[:, :, None], axis=1).mean(axis=1)
        F = self.sigma_factor(X)
        z = rng.standard_normal((n, F.shape[2]))
        return self.gradient(X) + math.sqrt(self.batch_scale) * np.einsum("ndr,nr->nd", F, z)


def parse_target(to, d):
    m = re.fullmatch(r"\s*([xyz])\s*([<>])\s*(-?[0-9.]+)\s*", to)
    if not m:
        raise ValueError(f"target {to!r} is not a half-space '<var> > c'")
    k = VARS.index(m.group(1))
    sign = 1.0 if m.group(2) == ">" else -1.0
    return k, sign, float(m.group(3))


def summary(times, horizon):
    """Mean and 95% t-interval of exit times; censored (inf) runs make the mean a lower bound."""
    n = len(times)
    fin = np.isfinite(times)
    out = {"particles": int(n), "exited": int(fin.sum()), "horizon": horizon}
    if fin.all():
        m = float(times.mean())
        se = float(times.std(ddof=1) / math.sqrt(n))
        out.update(mean=m, se=se, ci95=[m - 1.96 * se, m + 1.96 * se], censored=False)
    else:
        tt = np.where(fin, times, horizon)
        k = int(fin.sum())
        # exact 95% upper bound on P(exit by horizon) (Clopper-Pearson), hence a lower bound on E tau >= horizon P(tau > horizon)
        from scipy.stats import beta

        p_hi = 1.0 if k == n else float(beta.ppf(0.975, k + 1, n - k))
        p_lo = 0.0 if k == 0 else float(beta.ppf(0.025, k, n - k + 1))
        out.update(
            restricted_mean=float(tt.mean()),
            censored=True,
            p_exit_by_horizon=k / n,
            p_exit_by_horizon_ci95=[p_lo, p_hi],
            mean_lower_bound_95=horizon * (1 - p_hi),
        )
    return out


def run_sde(model, x0, target, dt, n, horizon, rng, chunk=20000):
    """Coupled Euler-Maruyama at dt and 2 dt with the bridge correction; returns exit-time arrays (inf = censored)."""
    k, sign, c = target
    d = model.d
    tf = np.full(n, np.inf)
    tc = np.full(n, np.inf)
    steps = int(math.ceil(horizon / dt))
    steps += steps % 2
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        Xf = np.tile(np.asarray(x0, float), (m, 1))
        Xc = Xf.copy()
        af = np.arange(m)  # alive indices (fine)
        ac = np.arange(m)
        zsum = None
        r = model.sigma_factor(Xf[:1]).shape[2]
        for s in range(steps):
            F_f = model.sigma_factor(Xf[af]) if len(af) else None
            Z = rng.standard_normal((m, r))
            if len(af):
                G = math.sqrt(model.eta * model.batch_scale) * F_f
                xo = Xf[af]
                xn = xo - model.gradient(xo) * dt + math.sqrt(dt) * np.einsum("ndr,nr->nd", G, Z[af])
                Xf[af] = xn
                d0 = sign * (c - xo[:, k])
                d1 = sign * (c - xn[:, k])
                an = (G[:, k, :] ** 2).sum(axis=1)
                hit = d1 < 0
                with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
                    pb = np.where(an > 0, np.exp(-2 * d0 * d1 / (an * dt)), 0.0)
                hit |= (~hit) & (rng.random(len(af)) < pb)
                tf[start + af[hit]] = (s + 1) * dt
                af = af[~hit]
            zsum = Z if s % 2 == 0 else zsum + Z
            if s % 2 == 1 and len(ac):
                h = 2 * dt
                xo = Xc[ac]
                G = math.sqrt(model.eta * model.batch_scale) * model.sigma_factor(xo)
                xn = xo - model.gradient(xo) * h + math.sqrt(dt) * np.einsum("ndr,nr->nd", G, zsum[ac])
                Xc[ac] = xn
                d0 = sign * (c - xo[:, k])
                d1 = sign * (c - xn[:, k])
                an = (G[:, k, :] ** 2).sum(axis=1)
                hit = d1 < 0
                with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
                    pb = np.where(an > 0, np.exp(-2 * d0 * d1 / (an * h)), 0.0)
                hit |= (~hit) & (rng.random(len(ac)) < pb)
                tc[start + ac[hit]] = (s + 1) * dt
                ac = ac[~hit]
            if not len(af) and not len(ac):
                break
    return tf, tc


def run_sgd(model, x0, target, n, horizon, rng, chunk=20000):
    k, sign, c = target
    eta = model.eta
    t = np.full(n, np.inf)
    steps = int(math.ceil(horizon / eta))
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        X = np.tile(np.asarray(x0, float), (m, 1))
        alive = np.arange(m)
        for s in range(steps):
            X[alive] = X[alive] - eta * model.sgd_gradient(X[alive], rng)
            hit = sign * (X[alive, k] - c) > 0
            t[start + alive[hit]] = (s + 1) * eta
            alive = alive[~hit]
            if not len(alive):
                break
    return t


def exact_1d(model, x0, target, domain):
    """E tau by the scale/speed double integral on [lo, c] (reflecting at lo, absorbing at c), or P(reach c)."""
    k, sign, c = target
    lo, hi = domain[0]
    if sign < 0:
        raise ValueError("exact_1d: only targets x > c")

    def A(x):
        F = model.sigma_factor(np.asarray(x, float).reshape(-1, 1))
        return model.eta * model.batch_scale * (F[:, 0, :] ** 2).sum(axis=1)

    dL = lambda x: model.gradient(np.asarray(x, float).reshape(-1, 1))[:, 0]
    probe = np.linspace(lo, x0[0], 20001)
    Ap = A(probe)
    small = Ap <= 1e-6 * Ap.max()
    if small.any():
        # the noise vanishes at z below x0: P(reach c before converging to z) = (S(x0) - S(z)) / (S(c) - S(z)), S' = e^psi
        from scipy.optimize import minimize_scalar

        z0 = float(probe[np.argmin(Ap)])
        h = probe[1] - probe[0]
        z = float(minimize_scalar(lambda y: float(A(y)[0]), bounds=(z0 - h, min(z0 + h, x0[0])), method="bounded", options={"xatol": 1e-12}).x)
        if not A(z)[0] <= 1e-14 * Ap.max():
            raise ValueError(f"exact_1d: the noise is small but not zero near {z}: not handled")
        z += 1e-7  # the zero itself is singular for psi; S over (z, z + 1e-7) is negligible (e^psi vanishes like a power there)
        f = lambda y: float(2 * dL(y)[0] / A(y)[0])
        psi = lambda y: integrate.quad(f, x0[0], y, limit=400, epsabs=1e-13, epsrel=1e-12)[0]
        S = lambda a, b: integrate.quad(lambda y: math.exp(psi(y)), a, b, limit=400, epsabs=0, epsrel=1e-10)[0]
        num = S(z, x0[0])
        p = num / (num + S(x0[0], c))
        return {"kind": "absorption", "noise_zero_at": z, "p_reach_target": p, "infinite": p < 1 - 1e-9,
                "how": "P(reach c) = (S(x0) - S(z)) / (S(c) - S(z)), S' = exp(int 2L'/A), z the zero of A below x0 (scipy.integrate.quad); P < 1 means the MET is infinite"}

    def met(n):
        xs = np.concatenate([np.linspace(lo, x0[0], n), np.linspace(x0[0], c, n)[1:]])
        a = A(xs)
        psi = integrate.cumulative_trapezoid(2 * dL(xs) / a, xs, initial=0.0)
        psi -= psi[n - 1]
        inner = integrate.cumulative_trapezoid(2 / a * np.exp(-psi), xs, initial=0.0)
        return integrate.trapezoid((np.exp(psi) * inner)[n - 1 :], xs[n - 1 :])

    t1, t2 = met(100001), met(200001)
    return {"kind": "met", "time": t2 + (t2 - t1) / 3, "error_estimate": abs(t2 - t1) / 3 * 1.5 + 1e-12,
            "interval": [lo, c], "ends": ["reflecting", "absorbing"],
            "how": "E tau = int_{x0}^{c} e^{psi(y)} int_{lo}^{y} 2/(A e^{psi}) dz dy, psi' = 2L'/A, A = eta Sigma_B; trapezoid on 2e5 and 4e5 nodes, Richardson; error 1.5x the Richardson correction"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--particles", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=20261202)
    a = ap.parse_args()
    cases = json.load(open(os.path.join(ROOT, "cases.json")))["cases"]
    only = [s for s in a.only.split(",") if s]
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    order = [c["id"] for c in cases] if not only else only  # --only runs in the order given
    for cid in order:
        i = next(j for j, c in enumerate(cases) if c["id"] == cid)
        case = cases[i]
        t0 = time.time()
        model = Model(case["problem"])
        target = parse_target(case["to"], model.d)
        x0 = case["from"]
        seed = a.seed + 1000 * i
        out = {"id": case["id"], "class": case["class"], "problem": case["problem"], "from": x0, "to": case["to"],
               "command": f"python3 validation/reference/reference.py --only {case['id']} --particles {a.particles} --seed {a.seed}",
               "particles": min(a.particles, case.get("reference_particles", a.particles)),
               "numpy": np.__version__, "sympy": sp.__version__, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        if model.d == 1:
            out["exact"] = exact_1d(model, x0, target, case["problem"]["domain"])
        # horizon: the case's, else generous (40x a pilot estimate)
        horizon = case.get("horizon")
        if horizon is None:
            pilot = run_sgd(model, x0, target, 400, 1e4, np.random.default_rng(seed + 7))
            horizon = 40 * float(np.mean(pilot[np.isfinite(pilot)]))
        dt = model.eta / 20
        n = min(a.particles, case.get("reference_particles", a.particles))
        rng = np.random.default_rng(seed)
        tf, tc = run_sde(model, x0, target, dt, n, horizon, rng)
        sf, sc = summary(tf, horizon), summary(tc, horizon)
        sde = {"method": "Euler-Maruyama + Brownian bridge, coupled at dt and 2dt", "seed": seed, "dt": dt, "fine": sf, "coarse_2dt": sc}
        if not sf["censored"] and not sc["censored"]:
            diff = tf - tc
            dm = float(diff.mean())
            dse = float(diff.std(ddof=1) / math.sqrt(n))
            widen = abs(dm) + 1.96 * dse
            sde.update(bias_estimate=dm, bias_se=dse,
                       reference=sf["mean"], reference_interval=[sf["ci95"][0] - widen, sf["ci95"][1] + widen],
                       reference_how="95% t-interval at dt widened by |T(dt) - T(2dt)| + 1.96 se of that paired difference (time-step bias)")
        out["sde"] = sde
        rng2 = np.random.default_rng(seed + 1)
        ts = run_sgd(model, x0, target, n, horizon, rng2)
        out["sgd"] = {"method": "NumPy Markov chains of the SGD scheme (exits at iterates)", "seed": seed + 1, **summary(ts, horizon)}
        out["seconds"] = time.time() - t0
        with open(os.path.join(HERE, "results", f"{case['id']}.json"), "w") as f:
            json.dump(out, f, indent=1)
        print(case["id"], f"{out['seconds']:.0f}s", json.dumps({k: out[k] for k in ("sde", "sgd")})[:400], out.get("exact"), flush=True)


if __name__ == "__main__":
    sys.exit(main())
