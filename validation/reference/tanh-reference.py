"""Writes test/models/tanh-reference.json: points x and tanh(x) from mpmath at 50 digits, as the correctly rounded
double r0 and the remainder (tanh(x) − r0) in units of ulp(r0), so a test can measure a double's error in ulp
without extended precision. Points: uniform on [−20, 20] and [−1.2, 1.2], next to the table knots k/8 of
src/problem/models/tanh.ts, tiny magnitudes, and around the clamp at ±19.125. Seeded: rerunning gives the same file.

Usage: python3 validation/reference/tanh-reference.py   (needs mpmath)
"""
import json
import math
import random

import mpmath as mp

mp.mp.dps = 50
random.seed(20261202)
xs = []
xs += [random.uniform(-20, 20) for _ in range(1500)]
xs += [random.uniform(-1.2, 1.2) for _ in range(1000)]
for _ in range(600):
    k = random.randint(-153, 153)
    xs.append(k / 8 + random.choice([-1, 1]) * random.uniform(0, 1 / 16))
xs += [random.choice([-1, 1]) * 10 ** random.uniform(-300, -2) for _ in range(300)]
xs += [random.choice([-1, 1]) * random.uniform(18.5, 19.5) for _ in range(200)]
xs += [k / 16 for k in range(-320, 321)]
rows = []
for x in xs:
    t = mp.tanh(mp.mpf(x))
    r0 = float(t)
    u = math.ulp(r0)
    rows.append([x, r0, round(float((t - mp.mpf(r0)) / u), 4)])
with open("test/models/tanh-reference.json", "w") as f:
    json.dump({
        "source": "validation/reference/tanh-reference.py: mpmath 50-digit tanh; r0 = correctly rounded double, "
                  "residual = (tanh(x) - r0)/ulp(r0)",
        "points": rows,
    }, f)
print(len(rows), "points")
