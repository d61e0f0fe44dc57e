"""Writes scipy-reference.json: the values the drift statistics must equal.

Run with Debian's python3-scipy (`apt-get install -y python3-scipy`):
    /usr/bin/python3 packages/core/src/stats/drift/__fixtures__/make-reference.py
The values are committed; the product has no Python dependency.
"""
import json
import os

import numpy as np
import scipy
from scipy import stats

rng = np.random.default_rng(20261206)


def values(a):
    return [float(v) for v in a]


samples = {}


def sample(name, a):
    """Samples are stored once, by name, and the cases name them (a large sample serves several)."""
    samples[name] = [float(v) for v in a]
    return name


def ks_case(name, a, b):
    r = stats.ks_2samp(samples[a], samples[b])
    return {"name": name, "a": a, "b": b, "statistic": float(r.statistic), "p_value": float(r.pvalue)}


big = sample("normal 10500", np.round(rng.normal(0, 1, 10500), 2))
ks = [
    ks_case("ties, unequal sizes (exact)", sample("t37", np.round(rng.normal(0, 1, 37), 1)), sample("t53", np.round(rng.normal(0.3, 1, 53), 1))),
    ks_case("heavy ties: small integers", sample("i80", rng.integers(0, 5, 80)), sample("i120", rng.integers(0, 6, 120))),
    ks_case("equal sizes (exact, square)", sample("e200a", rng.normal(0, 1, 200)), sample("e200b", rng.normal(0.2, 1, 200))),
    ks_case("identical samples", sample("r10", np.arange(10.0)), "r10"),
    ks_case("disjoint samples", sample("r5", np.arange(5.0)), sample("r5+100", np.arange(5.0) + 100)),
    ks_case("unequal sizes, coprime (exact)", sample("c997", np.round(rng.normal(0, 1, 997), 3)), sample("c1009", np.round(rng.normal(0.05, 1.1, 1009), 3))),
    ks_case("at the exact limit: 10000 vs 1500", sample("x10000", np.round(rng.normal(0, 1, 10000), 2)), sample("x1500", np.round(rng.normal(0.02, 1, 1500), 2))),
    ks_case("asymptotic, tiny shift: 10500 vs 2000", big, sample("s0", np.round(rng.normal(0.01, 1, 2000), 2))),
    ks_case("asymptotic, small shift: 10500 vs 2000", big, sample("s1", np.round(rng.normal(0.06, 1, 2000), 2))),
    ks_case("asymptotic, clear shift: 10500 vs 2000", big, sample("s2", np.round(rng.normal(0.2, 1, 2000), 2))),
    ks_case("asymptotic, small second sample: 10500 vs 60", big, sample("s60", np.round(rng.normal(0.25, 1, 60), 2))),
    ks_case("asymptotic, tiny second sample: 10500 vs 7", big, sample("s7", np.round(rng.normal(0.5, 1, 7), 2))),
]

kstwo = []
for n in [1, 2, 5, 30, 140, 141, 500, 5000, 100000, 200000]:
    for x in [0.0005, 0.003, 0.01, 0.02, 0.05, 0.08, 0.12, 0.2, 0.35, 0.5, 0.7, 0.95]:
        kstwo.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n)), "cdf": float(stats.kstwo.cdf(x, n))})

smirnov = [{"n": n, "x": x, "sf": float(scipy.special.smirnov(n, x))} for n in [3, 50, 1000, 20000] for x in [0.01, 0.05, 0.2, 0.6]]


def chi2_case(name, a, b):
    table = np.array([a, b])
    r = stats.chi2_contingency(table)
    return {"name": name, "a": a, "b": b, "statistic": float(r[0]), "p_value": float(r[1]), "dof": int(r[2])}


chi2 = [
    chi2_case("a category missing on one side", [30, 25, 45, 0], [28, 20, 40, 12]),
    chi2_case("2 x 2: Yates' correction", [40, 60], [55, 45]),
    chi2_case("2 x 2, counts within half a unit of expected", [50, 50], [50, 51]),
    chi2_case("2 x 5, unequal totals", [120, 80, 60, 30, 10], [30, 25, 20, 15, 10]),
    chi2_case("strong shift", [500, 300, 200], [200, 300, 500]),
    chi2_case("one category on both sides", [10], [20]),
]

def bh_adjusted(p):
    """scipy >= 1.11's false_discovery_control(p, method='bh'); Debian 12's scipy 1.10 lacks it, so the
    textbook formula stands in there, and the script checks the two agree wherever both exist."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    ranked = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1)
    out = np.empty(m)
    out[order] = ranked
    if hasattr(stats, "false_discovery_control"):
        assert np.allclose(out, stats.false_discovery_control(p, method="bh"), rtol=0, atol=1e-15)
    return out


p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216, 0.222, 0.251, 0.269, 0.275, 0.34, 0.341, 0.384, 0.569, 0.594, 0.696, 0.762, 0.94, 0.942, 0.975, 0.986]
p_shuffled = list(rng.permutation(p))
bh = [
    {"name": "Benjamini & Hochberg (1995), table 1 style", "p": p_shuffled, "adjusted": values(bh_adjusted(p_shuffled))},
    {"name": "ties and ones", "p": [0.01, 0.01, 0.5, 1.0, 0.02], "adjusted": values(bh_adjusted([0.01, 0.01, 0.5, 1.0, 0.02]))},
]

a = np.round(rng.normal(0, 1, 500), 2)
b = np.round(rng.normal(0.3, 1.2, 400), 2)
wasserstein = [
    {"name": "normal vs shifted, scaled normal", "a": values(a), "b": values(b), "distance": float(stats.wasserstein_distance(a, b)), "std_a": float(np.std(a))},
    {"name": "ties", "a": [0.0, 0.0, 1.0, 2.0], "b": [0.0, 1.0, 1.0, 1.0, 5.0], "distance": float(stats.wasserstein_distance([0.0, 0.0, 1.0, 2.0], [0.0, 1.0, 1.0, 1.0, 5.0])), "std_a": float(np.std([0.0, 0.0, 1.0, 2.0]))},
]

document = {
    "generated_by": f"scipy {scipy.__version__}, numpy {np.__version__}",
    "samples": samples,
    "ks_2samp": ks,
    "kstwo": kstwo,
    "smirnov": smirnov,
    "chi2_contingency": chi2,
    "false_discovery_control": bh,
    "wasserstein_distance": wasserstein,
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "scipy-reference.json"), "w") as f:
    json.dump(document, f, separators=(",", ":"))
