"""NumPy side of bench/mlp.js: minibatch SGD on an MLP (tanh hidden layers, softmax cross-entropy),
the identical update as sgdscope's MlpLoss.batchGradient, in two modes:

- "particle": vectorised over the batch, one particle at a time (x -= lr * mean-batch gradient).
  Parameter layout as in src/problem/models/mlp.ts: per layer W (n_out x n_in, row-major) then b.
- "stack": vectorised over particles too. Particles run in chunks of C as a (C, d) stack; each step
  draws a (C, B) index array (every particle its own i.i.d. batch), gathers once from one table
  [x_i, 1, onehot(y_i)] and runs batched np.matmul on (C, B, n) stacks (each particle has its own
  weights, so a shared 2-D GEMM does not apply). How it was made fast (measured, see bench/README.md):
  every temporary is a preallocated buffer written with out= (temporaries above glibc's 128 KiB mmap
  threshold were returned to the OS and page-faulted back every step: a 3-8x drop from C = 32 on), the
  bias sits as an extra weight column against a constant-1 input column (bias add and bias-gradient
  sums come out of the same matmul), softmax reductions over the few classes run column by column
  (np.max/np.sum along a length-2 axis cost more than the matmuls), and tanh, tanh' and the deltas run on
  whole contiguous (C, B, n + 1) arrays rather than n-column views. np.einsum was 6-22x slower than
  matmul per product here. C is chosen by a short timed trial unless given.

Usage: python3 bench/mlp_numpy.py INPUT.json [particle|stack] [C]   (INPUT.json written by
bench/mlp.js); prints one JSON object. Rates are particle-steps per second (wall clock).
"""
import json
import platform
import sys
import time

import numpy as np


def views(x, sizes):
    """Views W_l, b_l into the flat parameter vector x (no copies: updating x updates them)."""
    out = []
    o = 0
    for l in range(1, len(sizes)):
        nin, nout = sizes[l - 1], sizes[l]
        W = x[o:o + nout * nin].reshape(nout, nin)
        o += nout * nin
        b = x[o:o + nout]
        o += nout
        out.append((W, b))
    return out


def make_step(X, y, sizes, lr):
    d = sum(sizes[l] * sizes[l - 1] + sizes[l] for l in range(1, len(sizes)))
    g = np.zeros(d)
    gviews = views(g, sizes)
    nl = len(sizes) - 1

    def step(x, layers, idx):
        """One SGD step in place on x: x -= lr * (1/B) sum_i grad l_i(x) over the batch idx."""
        B = idx.shape[0]
        h = X[idx]                      # B x n_0
        hs = [h]
        for l, (W, b) in enumerate(layers):
            z = h @ W.T + b
            h = np.tanh(z) if l < nl - 1 else z
            hs.append(h)
        o = hs[-1]
        o = o - o.max(axis=1, keepdims=True)
        e = np.exp(o)
        p = e / e.sum(axis=1, keepdims=True)
        p[np.arange(B), y[idx]] -= 1.0
        delta = p / B                   # d(mean loss)/d(logits)
        for l in range(nl - 1, -1, -1):
            W, _ = layers[l]
            gW, gb = gviews[l]
            np.dot(delta.T, hs[l], out=gW)
            np.sum(delta, axis=0, out=gb)
            if l > 0:
                hp = hs[l]
                delta = (delta @ W) * (1.0 - hp * hp)
        x -= lr * g

    return step


def stack_perm(sizes):
    """Index map of the stack layout: per layer the augmented matrix [W | b] (n_out x (n_in + 1),
    row-major), so stack[j] = x[perm[j]] for x in the JS layout (W row-major, then b)."""
    perm = []
    o = 0
    for l in range(1, len(sizes)):
        nin, nout = sizes[l - 1], sizes[l]
        W = np.arange(o, o + nout * nin).reshape(nout, nin)
        b = np.arange(o + nout * nin, o + nout * nin + nout).reshape(nout, 1)
        perm.append(np.hstack([W, b]).ravel())
        o += nout * nin + nout
    return np.concatenate(perm)


def make_stack_step(Z, sizes, lr, B, P, G):
    """One SGD step in place on the (C, d) stack P (stack layout, see stack_perm), G a (C, d) buffer.

    Z is the (n, n_0 + 1 + n_out) gather table [x_i, 1, onehot(y_i)]. step(idx), idx (C, B): particle c
    uses the samples idx[c]. Every array touched per step is preallocated here; only idx is new.
    """
    C = P.shape[0]
    L = len(sizes) - 1
    K = sizes[-1]
    Wa, gWa = [], []  # [W | b] (C, n_out, n_in + 1) views of P and G
    o = 0
    for l in range(1, L + 1):
        nin, nout = sizes[l - 1], sizes[l]
        Wa.append(P[:, o:o + nout * (nin + 1)].reshape(C, nout, nin + 1))
        gWa.append(G[:, o:o + nout * (nin + 1)].reshape(C, nout, nin + 1))
        o += nout * (nin + 1)
    WaT = [w.transpose(0, 2, 1) for w in Wa]
    # activations with a constant-1 last column (the bias input); H[0] and the labels share one gather
    gath = np.empty((C, B, Z.shape[1]))
    H = [gath[:, :, :sizes[0] + 1]]
    for l in range(1, L):
        h = np.empty((C, B, sizes[l] + 1))
        h[:, :, -1] = 1.0
        H.append(h)
    Yb = gath[:, :, sizes[0] + 1:]
    out = np.empty((C, B, K))  # logits, then probabilities, then d(mean loss)/d(logits)
    # hidden deltas and tanh' = 1 - h^2 with the bias column too: elementwise ops then run on whole
    # contiguous arrays (on the n-of-(n + 1) column views they ran 16 elements per inner loop: tanh
    # 1.4x, h*h up to 7x slower); tanh' is 0 in the constant column, so that column of a delta is 0
    # and never used
    D = [None] + [np.empty((C, B, sizes[l] + 1)) for l in range(1, L)]
    T = [None] + [np.empty((C, B, sizes[l] + 1)) for l in range(1, L)]
    mx = np.empty((C, B))
    sm = np.empty((C, B))
    cols = [out[:, :, j] for j in range(K)]
    invB = 1.0 / B
    mm = np.matmul

    def step(idx):
        np.take(Z, idx, axis=0, out=gath)
        for l in range(L - 1):
            h = H[l + 1]
            mm(H[l], WaT[l], out=h[:, :, :-1])
            np.tanh(h, out=h)
            h[:, :, -1] = 1.0
        mm(H[L - 1], WaT[L - 1], out=out)
        # softmax over the K classes, column by column (K is small)
        np.copyto(mx, cols[0])
        for j in range(1, K):
            np.maximum(mx, cols[j], out=mx)
        np.subtract(out, mx[:, :, None], out=out)
        np.exp(out, out=out)
        np.copyto(sm, cols[0])
        for j in range(1, K):
            np.add(sm, cols[j], out=sm)
        np.divide(out, sm[:, :, None], out=out)
        np.subtract(out, Yb, out=out)
        np.multiply(out, invB, out=out)
        delta = out
        for l in range(L - 1, -1, -1):
            mm(delta.transpose(0, 2, 1), H[l], out=gWa[l])  # [gW | gb] = delta^T [h | 1]
            if l > 0:
                dn, t, h = D[l], T[l], H[l]
                mm(delta, Wa[l], out=dn)  # delta W_l, and delta b_l in the last column (zeroed by t)
                np.multiply(h, h, out=t)
                np.subtract(1.0, t, out=t)
                np.multiply(dn, t, out=dn)
                delta = dn[:, :, :-1]
        np.multiply(G, lr, out=G)
        np.subtract(P, G, out=P)

    return step


def loss_fn(X, y, sizes):
    n = X.shape[0]

    def loss(x):
        """Full-data mean cross-entropy at x (JS layout)."""
        layers = views(x, sizes)
        h = X
        for l, (W, b) in enumerate(layers):
            z = h @ W.T + b
            h = np.tanh(z) if l < len(layers) - 1 else z
        m = h.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(h - m).sum(axis=1))
        return float(np.mean(lse - h[np.arange(n), y]))

    return loss


def run_particle(cfg, X, y, sizes, rng):
    """Per-particle mode: returns (params after the shared-index check run, wall seconds of each timed
    run, final params of the last run (JS layout), extra output fields)."""
    n, lr, B = cfg["n"], cfg["lr"], cfg["batch"]
    step = make_step(X, y, sizes, lr)
    chk = cfg["check"]
    xc = np.array(chk["x0"], dtype=np.float64)
    lc = views(xc, sizes)
    cidx = np.array(chk["idx"], dtype=np.int64).reshape(chk["steps"], B)
    for k in range(chk["steps"]):
        step(xc, lc, cidx[k])

    M, K = cfg["particles"], cfg["steps"]
    xw = np.array(cfg["inits"][0], dtype=np.float64)
    lw = views(xw, sizes)
    for _ in range(20):
        step(xw, lw, rng.integers(0, n, B))
    times = []
    for _ in range(cfg.get("reps", 1)):
        xs = [np.array(cfg["inits"][p], dtype=np.float64) for p in range(M)]
        t0 = time.perf_counter()
        for p in range(M):
            x = xs[p]
            layers = views(x, sizes)
            for _ in range(K):
                step(x, layers, rng.integers(0, n, B))
        times.append(time.perf_counter() - t0)
    return xc, times, xs, {}


def run_stack(cfg, X, y, sizes, rng, chunk):
    """Stacked mode: C from `chunk` or a short timed trial; returns like run_particle, the extra fields
    being C, the trial's rates and seconds, and particle C - 1's check run."""
    n, lr, B = cfg["n"], cfg["lr"], cfg["batch"]
    M, K = cfg["particles"], cfg["steps"]
    K_out = sizes[-1]
    Z = np.hstack([X, np.ones((n, 1)), np.eye(K_out)[y]])
    perm = stack_perm(sizes)
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size)
    inits = np.array(cfg["inits"], dtype=np.float64)[:, perm]  # stack layout, one row per particle
    d = perm.size

    def stack_for(c, first):
        P = np.ascontiguousarray(inits[(first + np.arange(c)) % inits.shape[0]])
        G = np.empty_like(P)
        return P, make_stack_step(Z, sizes, lr, B, P, G)

    # C: the best particle-step rate of a short trial among 4, 8, ..., 128 and min(M, 128)
    # (~4096 particle-steps per candidate, 2 rounds, best of the two)
    trial = []
    trial_sec = 0.0
    if chunk is None:
        cands = sorted({c for c in (4, 8, 16, 32, 64, 128) if c < M} | {min(M, 128)})
        best = {c: 0.0 for c in cands}
        t_all = time.perf_counter()
        for _ in range(2):
            for c in cands:
                P, step = stack_for(c, 0)
                steps = max(8, 4096 // c)
                for _ in range(3):
                    step(rng.integers(0, n, (c, B)))
                t0 = time.perf_counter()
                for _ in range(steps):
                    step(rng.integers(0, n, (c, B)))
                best[c] = max(best[c], c * steps / (time.perf_counter() - t0))
        trial_sec = time.perf_counter() - t_all
        trial = [{"chunk": c, "rate": best[c]} for c in cands]
        chunk = max(cands, key=lambda c: best[c])
    C = max(1, min(chunk, M))

    # same-update check: particles 0 and C - 1 of a C-stack start at the check's x0 and use the check's
    # indices; the others run from other starts with their own random indices (they must not disturb
    # the two). Both are returned (check, checkLast), so a layout error at a nonzero stack offset shows.
    chk = cfg["check"]
    P, step = stack_for(C, 1)
    P[0] = P[C - 1] = np.array(chk["x0"], dtype=np.float64)[perm]
    cidx = np.array(chk["idx"], dtype=np.int64).reshape(chk["steps"], B)
    for k in range(chk["steps"]):
        idx = rng.integers(0, n, (C, B))
        idx[0] = idx[C - 1] = cidx[k]
        step(idx)
    xc = P[0][inv].copy()
    xc_last = P[C - 1][inv].copy()

    times = []
    for _ in range(cfg.get("reps", 1)):
        final = np.empty((M, d))
        steppers = {}
        t0 = time.perf_counter()
        for first in range(0, M, C):
            c = min(C, M - first)
            if c not in steppers:
                steppers[c] = stack_for(c, 0)
            P, step = steppers[c]
            P[:] = inits[first:first + c]
            for _ in range(K):
                step(rng.integers(0, n, (c, B)))
            final[first:first + c] = P
        times.append(time.perf_counter() - t0)
    xs = [final[p][inv] for p in range(M)]
    return xc, times, xs, {"chunk": C, "trial": trial, "trialSeconds": trial_sec, "checkLast": xc_last.tolist()}


def main():
    with open(sys.argv[1]) as f:
        cfg = json.load(f)
    mode = sys.argv[2] if len(sys.argv) > 2 else "particle"
    if mode not in ("particle", "stack"):
        sys.exit(f"mlp_numpy.py: mode must be 'particle' or 'stack', got {mode!r}")
    chunk = int(sys.argv[3]) if len(sys.argv) > 3 else None
    if chunk is not None and chunk < 1:
        sys.exit(f"mlp_numpy.py: chunk C must be a positive integer, got {chunk}")
    n = cfg["n"]
    sizes = cfg["sizes"]
    X = np.array(cfg["X"], dtype=np.float64).reshape(n, sizes[0])
    y = np.array(cfg["y"], dtype=np.int64)
    rng = np.random.default_rng(1)
    if mode == "particle":
        xc, times, xs, extra = run_particle(cfg, X, y, sizes, rng)
    else:
        xc, times, xs, extra = run_stack(cfg, X, y, sizes, rng, chunk)
    M, K = cfg["particles"], cfg["steps"]
    sec = min(times)
    loss = loss_fn(X, y, sizes)
    losses = [loss(x) for x in xs]
    print(json.dumps({
        "mode": mode,
        **extra,
        "seconds": sec,
        "rate": M * K / sec,
        "allRates": [M * K / t for t in times],
        "meanLoss": float(np.mean(losses)),
        # 95% interval half-width of the mean over the M particles (normal approximation)
        "meanLossHalfWidth95": float(1.96 * np.std(losses, ddof=1) / np.sqrt(M)) if M > 1 else None,
        "losses": losses,
        "check": xc.tolist(),
        "numpyVersion": np.__version__,
        "pythonVersion": platform.python_version(),
    }))


if __name__ == "__main__":
    main()
