"""Benchmarks of the scoring engine (a script, not a test): prints a markdown report.

    .venv/bin/python bench/bench_scoring.py [--quick] [--portfolio-only] [--baseline SRC]

``--baseline SRC`` also times the portfolio part with the engine of another source tree (e.g.
``/work/main``, or a checkout of an older commit) in a subprocess, side by side in one run.

Measures, in one run: wsm and TOPSIS at 1,000 / 100,000 / 1,000,000 x 6 against a bare numpy
baseline of the same normalization, pymcdm (validation on) and scikit-criteria on the same
matrix; SMAA for 1,000 rows x 10,000 samples (time and peak extra memory); the exact
portfolio at 1,000 and 10,000 rows with 10 % dependencies; a 20-point frontier at 1,000 rows.
Times are medians.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings

import numpy as np

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
# --source SRC: import the engine from another tree (how --baseline times older code)
SOURCE = sys.argv[sys.argv.index("--source") + 1] if "--source" in sys.argv else REPO
sys.path.insert(0, SOURCE)

import scipy  # noqa: E402

from cxgov.scoring import (  # noqa: E402
    efficient_frontier,
    optimize_portfolio,
    rank_acceptability,
    rank_alternatives,
    rank_order_fill,
)
from cxgov.scoring._validate import as_directions, as_matrix, as_weights  # noqa: E402
from cxgov.scoring.aggregate import AGGREGATIONS  # noqa: E402
from cxgov.scoring.normalize import normalize_columns  # noqa: E402

TYPES = np.array([1, 1, -1, 1, -1, 1])
DIRECTIONS = ["benefit" if t == 1 else "cost" for t in TYPES]
WEIGHTS = np.array([0.3, 0.2, 0.15, 0.15, 0.1, 0.1])


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# ---- bare numpy baselines (no validation, no contributions, no ranking) --------------------


def numpy_minmax_wsm(x):
    lo, hi = x.min(axis=0), x.max(axis=0)
    n = np.where(TYPES == 1, (x - lo) / (hi - lo), (hi - x) / (hi - lo))
    return n @ WEIGHTS


def numpy_absolute_wsm(x, lo, hi):
    n = np.where(TYPES == 1, (x - lo) / (hi - lo), (hi - x) / (hi - lo))
    return n @ WEIGHTS


def numpy_vector_topsis(x):
    r = x / np.sqrt((x**2).sum(axis=0))
    r = np.where(TYPES == 1, r, 1 - r)
    v = r * WEIGHTS
    dp = np.sqrt(((v - v.max(axis=0)) ** 2).sum(axis=1))
    dm = np.sqrt(((v - v.min(axis=0)) ** 2).sum(axis=1))
    return dm / (dp + dm)


# ---- ours, before sorting: validation + normalization + scores with contributions ----------


def ours_presort(x, method, normalization, scales=None):
    raw = as_matrix(x)
    benefit = as_directions(DIRECTIONS, 6)
    w = as_weights(WEIGHTS, 6)
    normalized_t = normalize_columns(raw, benefit, normalization, scales)
    return AGGREGATIONS[method](normalized_t, w)


# ---- the libraries ----------------------------------------------------------------------


def pymcdm_scores(x, method):
    from pymcdm.methods import TOPSIS, WSM
    from pymcdm.normalizations import minmax_normalization, vector_normalization

    body = WSM(minmax_normalization) if method == "wsm" else TOPSIS(vector_normalization)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return body(x, WEIGHTS, TYPES)  # validation on (the default)


def skcriteria_scores(x, method):
    import skcriteria as skc
    from skcriteria.agg.similarity import TOPSIS
    from skcriteria.agg.simple import WeightedSumModel
    from skcriteria.pipeline import mkpipe
    from skcriteria.preprocessing.invert_objectives import NegateMinimize
    from skcriteria.preprocessing.scalers import MinMaxScaler, VectorScaler

    dm = skc.mkdm(x, [max if t == 1 else min for t in TYPES], weights=WEIGHTS)
    if method == "wsm":
        pipe = mkpipe(NegateMinimize(), MinMaxScaler(target="matrix"), WeightedSumModel())
        result = pipe.evaluate(dm)
        return result.e_["score"], result.rank_
    pipe = mkpipe(VectorScaler(target="matrix"), TOPSIS())
    result = pipe.evaluate(dm)
    return result.e_["similarity"], result.rank_


def ranking_rows(sizes, quick):
    rng = np.random.default_rng(20261123)
    rows = []
    for n in sizes:
        x = rng.random((n, 6)) * np.array([1, 2, 1000, 5, 36, 1]) + np.array([0, -1, 0, 1, 0, 0])
        x[:, 1] = np.clip(x[:, 1], -1, 1)
        x[:, 3] = np.clip(x[:, 3], 1, 5)
        scales = [(0, 1), (-1, 1), (0, 1000), (1, 5), (0, 36), (0, 1)]
        lo = np.array([s[0] for s in scales], float)
        hi = np.array([s[1] for s in scales], float)
        repeat = 3 if n >= 1_000_000 else (5 if n >= 100_000 else 15)
        lib_repeat = 1 if n >= 1_000_000 else 3
        for method, normalization in (("wsm", "absolute"), ("wsm", "minmax"), ("topsis", "vector")):
            if normalization == "absolute":
                base = median_time(lambda: numpy_absolute_wsm(x, lo, hi), repeat)
                pre = median_time(lambda: ours_presort(x, method, normalization, scales), repeat)
                full = median_time(lambda: rank_alternatives(x, WEIGHTS, DIRECTIONS, method=method,
                                                             normalization=normalization, scales=scales), repeat)
                rows.append((method, normalization, n, base, pre, full, None, None, None))
                continue
            baseline = numpy_minmax_wsm if method == "wsm" else numpy_vector_topsis
            base = median_time(lambda: baseline(x), repeat)
            pre = median_time(lambda: ours_presort(x, method, normalization), repeat)
            full = median_time(lambda: rank_alternatives(x, WEIGHTS, DIRECTIONS, method=method,
                                                         normalization=normalization), repeat)
            ours = rank_alternatives(x, WEIGHTS, DIRECTIONS, method=method, normalization=normalization)
            skip_pymcdm = quick and n >= 1_000_000
            pm = None if skip_pymcdm else median_time(lambda: pymcdm_scores(x, method), lib_repeat)
            sk = median_time(lambda: skcriteria_scores(x, method), lib_repeat)
            pm_scores = pymcdm_scores(x, method) if not skip_pymcdm and n <= 100_000 else None
            sk_scores, _ = skcriteria_scores(x, method) if n <= 100_000 else (None, None)
            equal = []
            for theirs in (pm_scores, sk_scores):
                if theirs is None:
                    continue
                theirs = np.asarray(theirs, dtype=float)
                same_values = np.abs(theirs - ours.scores).max() <= 1e-12
                same_order = np.array_equal(np.argsort(-theirs, kind="stable"), ours.order)
                equal.append(bool(same_values and same_order))
            rows.append((method, normalization, n, base, pre, full, pm, sk, all(equal) if equal else None))
    return rows


def portfolio_instance(n, seed, budget_share=0.3):
    rng = np.random.default_rng(seed)
    values = rng.random(n)
    costs = rng.integers(10_000, 5_000_000, n)
    requires = [(int(a), int(b)) for a, b in rng.integers(0, n, (n // 10, 2)) if a != b]
    excludes = [(int(a), int(b)) for a, b in rng.integers(0, n, (n // 50, 2)) if a != b]
    return values, costs, int(costs.sum() * budget_share), requires, excludes


def smaa_row():
    rng = np.random.default_rng(7)
    n = 1_000
    x = rng.random((n, 6))
    costs = rng.integers(10_000, 5_000_000, n)
    budget = int(costs.sum() * 0.2)
    scales = [(0, 1)] * 6

    def run():
        return rank_acceptability(x, WEIGHTS, DIRECTIONS, k=10, costs=costs, budget=budget,
                                  samples=10_000, scales=scales, seed=1)

    run()  # warm up
    seconds = median_time(run, 3)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    run()
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    return seconds, peak / 2**20


def big_money_instance(n, seed):
    """The 1,000-row instance with requests of 10^10 to 5 * 10^12 minor units (not round)."""
    values, costs, _, requires, excludes = portfolio_instance(n, seed)
    costs = costs * 1_000_000 + np.random.default_rng(seed).integers(0, 1_000_000, n)
    return values, costs, int(costs.sum() * 0.3), requires, excludes


def portfolio_rows():
    out = []
    for label, (values, costs, budget, requires, excludes), repeat in (
        ("1,000 rows", portfolio_instance(1_000, 1), 5),
        ("10,000 rows", portfolio_instance(10_000, 1), 3),
        ("1,000 rows, 10^10-5*10^12 minor units", big_money_instance(1_000, 1), 3),
    ):
        run = lambda: optimize_portfolio(values, costs, budget, requires=requires, excludes=excludes)  # noqa: E731
        try:
            seconds = median_time(run, repeat)
            p = run()
            value, funded = p.total_value, int(p.selected.sum())
        except ValueError as exc:  # an engine that cannot solve it (the baseline's InfeasiblePortfolio)
            print(f"{label}: {exc}", file=sys.stderr)
            seconds = value = funded = None
        fill = rank_order_fill(np.argsort(-values, kind="stable"), costs, budget)
        out.append((label, len(requires), len(excludes), seconds, value, funded,
                    int(fill.selected.sum()), float(values[fill.selected].sum())))
    values, costs, _, requires, excludes = portfolio_instance(1_000, 2)
    levels = [int(costs.sum() * f) for f in np.linspace(0.05, 0.5, 20)]
    run = lambda: efficient_frontier(values, costs, levels, requires=requires, excludes=excludes)  # noqa: E731
    frontier = median_time(run, 3)
    return out, frontier


def machine():
    def lscpu_model():
        try:
            text = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        except OSError:
            return platform.processor()
        for line in text.splitlines():
            if line.startswith("Model name"):
                return line.split(":", 1)[1].strip()
        return platform.processor()

    try:
        with open("/proc/meminfo") as f:
            mem_kb = int(f.readline().split()[1])
        memory = f"{mem_kb / 2**20:.1f} GiB"
    except OSError:
        memory = "unknown"
    return {
        "cpus": os.cpu_count(),
        "model": lscpu_model(),
        "memory": memory,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }


def ms(seconds):
    return "—" if seconds is None else (f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s")


def baseline_portfolio(source):
    """The portfolio rows timed with another tree's engine, in a fresh interpreter."""
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--portfolio-only", "--json", "--source", source],
                         capture_output=True, text=True, check=True).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return [tuple(row) for row in data["portfolios"]], data["frontier"]


def print_portfolio(portfolios, frontier, baseline=None):
    print("| portfolio | dependencies | exclusions | time | baseline time | funded (optimum) | "
          "funded (rank-order fill by value) | value optimum / fill | baseline value |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k, (label, deps, excl, seconds, value, funded, fill_count, fill_value) in enumerate(portfolios):
        base = baseline[0][k] if baseline else None
        base_value = "—" if base is None else ("raises" if base[4] is None else f"{base[4]:.4f}")
        base_time = "—" if base is None else ("raises" if base[3] is None else ms(base[3]))
        print(f"| {label} | {deps} | {excl} | {ms(seconds)} | {base_time} | {funded} | "
              f"{fill_count} | {value:.4f} / {fill_value:.1f} | {base_value} |")
    print(f"\n20-point efficient frontier, 1,000 rows with 10 % dependencies: {ms(frontier)}"
          + (f" (baseline {ms(baseline[1])})" if baseline else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip pymcdm at 1,000,000 rows")
    parser.add_argument("--portfolio-only", action="store_true", help="only the portfolio and frontier")
    parser.add_argument("--baseline", metavar="SRC", help="also time the portfolio with the engine in SRC")
    parser.add_argument("--source", metavar="SRC", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        portfolios, frontier = portfolio_rows()
        print(json.dumps({"portfolios": portfolios, "frontier": frontier}))
        return
    info = machine()
    print(f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {info['cpus']} CPUs "
          f"({info['model']}), {info['memory']} RAM; Python {info['python']}, numpy {info['numpy']}, "
          f"scipy {info['scipy']}; load average {os.getloadavg()[0]:.2f}.\n")
    if args.portfolio_only:
        portfolios, frontier = portfolio_rows()
        print_portfolio(portfolios, frontier, baseline_portfolio(args.baseline) if args.baseline else None)
        return

    rows = ranking_rows([1_000, 100_000, 1_000_000], args.quick)
    print("| method / normalization | rows x 6 | numpy baseline | ours: scores + contributions | ratio | "
          "ours: full validated ranking | pymcdm (validated) | pymcdm / ours | scikit-criteria | skcriteria / ours | equal results |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for method, normalization, n, base, pre, full, pm, sk, equal in rows:
        print(f"| {method} / {normalization} | {n:,} | {ms(base)} | {ms(pre)} | {pre / base:.1f}x | {ms(full)} | "
              f"{ms(pm)} | {'—' if pm is None else f'{pm / full:.0f}x'} | {ms(sk)} | "
              f"{'—' if sk is None else f'{sk / full:.1f}x'} | "
              f"{'—' if equal is None else ('yes (1e-12, same order)' if equal else 'NO')} |")

    seconds, peak = smaa_row()
    print(f"\nSMAA, 1,000 rows x 10,000 samples, top-10 + funded (rank-order fill): {ms(seconds)}, "
          f"peak extra memory {peak:.1f} MiB (tracemalloc)\n")

    portfolios, frontier = portfolio_rows()
    print_portfolio(portfolios, frontier, baseline_portfolio(args.baseline) if args.baseline else None)

if __name__ == "__main__":
    main()
