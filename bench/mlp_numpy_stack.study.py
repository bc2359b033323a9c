"""Study behind the stacked NumPy MLP baseline (bench/mlp_numpy.py, mode "stack"); see bench/README.md.

Times three NumPy versions of the same SGD step (2->16->16->2 tanh softmax MLP, B = 32, lr 0.1, each
particle its own i.i.d. batch) on stacks of C particles, with the minor page faults per step:

  temporaries  the first stacked version: np.matmul on stacks, a new array for every intermediate
  out          the same operations, every intermediate preallocated and written with out=
  final        bench/mlp_numpy.py's make_stack_step (also: bias as a weight column, one gather for inputs
               and labels, softmax column by column, tanh/tanh' on whole contiguous arrays)

and "temporaries" once more in a child process with glibc's heap trimming and mmap threshold raised
(MALLOC_TRIM_THRESHOLD_, MALLOC_MMAP_THRESHOLD_): if the drop at large C disappears there, it is the
allocator returning the temporaries' pages to the OS and faulting them back in every step.
Rates are particle-steps per second (wall clock, best of 3); the data are random (timing does not depend
on them). One BLAS thread is forced. Not a test: about a minute.

Usage: python3 bench/mlp_numpy_stack.study.py [C ...]     (default C = 1 4 8 16 32 64 128 256)
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import importlib.util  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("mlp_numpy", os.path.join(here, "mlp_numpy.py"))
mlp_numpy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mlp_numpy)

N, SIZES, B, LR = 1000, [2, 16, 16, 2], 32, 0.1
D = sum(SIZES[l] * SIZES[l - 1] + SIZES[l] for l in range(1, len(SIZES)))
rng = np.random.default_rng(0)
X = rng.normal(size=(N, 2))
y = rng.integers(0, 2, N)


def step_temporaries(P):
    """The first stacked version: weights (C, n_in, n_out) per layer, a new array per intermediate."""
    C = P.shape[0]
    WT = [np.ascontiguousarray(rng.normal(size=(C, SIZES[l], SIZES[l + 1])) * 0.3) for l in range(3)]
    bs = [np.zeros((C, 1, SIZES[l + 1])) for l in range(3)]
    ar = np.arange(B)[None, :]
    pm = np.arange(C)[:, None]

    def step(idx):
        h = X[idx]
        hs = [h]
        for l in range(3):
            z = h @ WT[l]
            z += bs[l]
            h = np.tanh(z) if l < 2 else z
            hs.append(h)
        o = hs[-1]
        o = o - o.max(axis=2, keepdims=True)
        e = np.exp(o)
        p = e / e.sum(axis=2, keepdims=True)
        p[pm, ar, y[idx]] -= 1.0
        delta = p * (1.0 / B)
        for l in range(2, -1, -1):
            gWT = np.swapaxes(hs[l], 1, 2) @ delta
            gb = delta.sum(axis=1, keepdims=True)
            if l > 0:
                hp = hs[l]
                delta = (delta @ np.swapaxes(WT[l], 1, 2)) * (1 - hp * hp)
            WT[l] -= LR * gWT
            bs[l] -= LR * gb

    return step


def step_out(P):
    """The same operations with every intermediate preallocated (out=), weights as views of P."""
    C = P.shape[0]
    G = np.empty_like(P)
    lay, glay = mlp_numpy_views(P), mlp_numpy_views(G)
    WT = [W.transpose(0, 2, 1) for W, _ in lay]
    bx = [b[:, None, :] for _, b in lay]
    H = [np.empty((C, B, s)) for s in SIZES]
    Dl = [np.empty((C, B, s)) for s in SIZES]
    T = [np.empty((C, B, s)) for s in SIZES]
    Yb = np.empty((C, B, 2))
    Yoh = np.eye(2)[y]
    mx = np.empty((C, B, 1))
    sm = np.empty((C, B, 1))

    def step(idx):
        np.take(X, idx, axis=0, out=H[0])
        np.take(Yoh, idx, axis=0, out=Yb)
        for l in range(3):
            np.matmul(H[l], WT[l], out=H[l + 1])
            np.add(H[l + 1], bx[l], out=H[l + 1])
            if l < 2:
                np.tanh(H[l + 1], out=H[l + 1])
        o = H[3]
        np.max(o, axis=2, keepdims=True, out=mx)
        np.subtract(o, mx, out=o)
        np.exp(o, out=o)
        np.sum(o, axis=2, keepdims=True, out=sm)
        np.divide(o, sm, out=o)
        np.subtract(o, Yb, out=o)
        np.multiply(o, 1.0 / B, out=o)
        delta = o
        for l in range(2, -1, -1):
            np.matmul(delta.transpose(0, 2, 1), H[l], out=glay[l][0])
            np.sum(delta, axis=1, out=glay[l][1])
            if l > 0:
                np.matmul(delta, lay[l][0], out=Dl[l])
                np.multiply(H[l], H[l], out=T[l])
                np.subtract(1.0, T[l], out=T[l])
                np.multiply(Dl[l], T[l], out=Dl[l])
                delta = Dl[l]
        np.multiply(G, LR, out=G)
        np.subtract(P, G, out=P)

    return step


def mlp_numpy_views(P):
    """Views (W (C, n_out, n_in), b (C, n_out)) of a (C, d) stack in the JS layout."""
    C = P.shape[0]
    out, o = [], 0
    for l in range(1, len(SIZES)):
        nin, nout = SIZES[l - 1], SIZES[l]
        out.append((P[:, o:o + nout * nin].reshape(C, nout, nin), P[:, o + nout * nin:o + nout * nin + nout]))
        o += nout * nin + nout
    return out


def step_final(P):
    Z = np.hstack([X, np.ones((N, 1)), np.eye(2)[y]])
    return mlp_numpy.make_stack_step(Z, SIZES, LR, B, P, np.empty_like(P))


def timed(make, C):
    """Best of 3 rates (particle-steps/s) over ~8000 particle-steps, and the fewest minor faults per step."""
    K = max(20, 8000 // C)
    best, faults = 0.0, float("inf")
    for _ in range(3):
        P = rng.normal(size=(C, D)) * 0.3
        step = make(P)
        for _ in range(3):
            step(rng.integers(0, N, (C, B)))
        f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        t0 = time.perf_counter()
        for _ in range(K):
            step(rng.integers(0, N, (C, B)))
        sec = time.perf_counter() - t0
        best = max(best, C * K / sec)
        faults = min(faults, (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0) / K)
    return best, faults


def main():
    args = sys.argv[1:]
    if args and args[0] == "--child":  # temporaries version only, JSON out (run with the malloc env)
        print(json.dumps({c: timed(step_temporaries, c) for c in map(int, args[1:])}))
        return
    cs = [int(a) for a in args] or [1, 4, 8, 16, 32, 64, 128, 256]
    if any(c < 1 for c in cs):
        sys.exit("mlp_numpy_stack.study.py: every C must be a positive integer")
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": str(256 << 20), "MALLOC_MMAP_THRESHOLD_": str(64 << 20)}
    print(f"load average (1 min) at start: {os.getloadavg()[0]:.2f}; rates in particle-steps/s, faults per step")
    rows = {
        "temporaries": {c: timed(step_temporaries, c) for c in cs},
        "temporaries, malloc trim off": {
            int(k): v
            for k, v in json.loads(
                subprocess.run(
                    [sys.executable, __file__, "--child", *map(str, cs)],
                    env=env, check=True, capture_output=True, text=True,
                ).stdout
            ).items()
        },
        "out=": {c: timed(step_out, c) for c in cs},
        "final (mlp_numpy.py)": {c: timed(step_final, c) for c in cs},
    }
    print(f"{'C':>30s} " + " ".join(f"{c:>14d}" for c in cs))
    for name, r in rows.items():
        print(f"{name:>30s} " + " ".join(f"{r[c][0]:8.0f} ({r[c][1]:4.0f})" for c in cs))
    print(f"load average (1 min) at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
