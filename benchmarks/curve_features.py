"""Does any feature of the range-test curve tell where the best rate lies? A look at the cache.

    KERAS_BACKEND=jax .venv/bin/python benchmarks/curve_features.py

For each task of benchmarks/suggestion_quality.py, on its cached 300-step
curves (the median over finder seeds), it prints where the best grid rate
lies against readings of the curve, in decades (positive: the best rate is
higher):

- vs knee: against `knee` without the optimizer's kind;
- vs consensus mean: against the geometric mean of the readings that
  `consensus` combines (`knee` without its factor, `valley`, `minimum`),
  before its factor; the offset a rule would have to add to it;
- hindsight regret: the regret (median over finder seeds, read off the
  cached trainings as benchmarks/consensus_factor.py reads it) of that mean
  moved by the offset that suits this task best, as if a rule knew it: what
  is left once the offset is right, the part due to the spread of the
  readings across seeds;

and features a rule could read to find that offset:

- fall: how far the smoothed loss falls, as a share of its highest value
  before the bottom;
- noise: log10 of the median step-to-step change of the raw losses over the
  first half of the curve, over the depth of the fall;
- bottom width: the decades over which the smoothed loss stays within 20%
  of the depth of the fall above its lowest value;
- minimum to end, knee to end: the decades from the rate of the lowest loss,
  or from the knee, to the last rate of the sweep (where it blew up).

Last come the correlations, within each kind of optimizer, of each feature
with the offset the consensus mean needs. The table goes to stdout and to
benchmarks/results/curve_features.md. Nothing is trained: run
suggestion_quality.py first; tasks it has not run yet are left out.
"""

from __future__ import annotations

import math
import statistics

import consensus_factor
import numpy as np
import suggestion_quality as bench

import keras_lrfinder
from keras_lrfinder import suggest

COMMAND = "KERAS_BACKEND=jax .venv/bin/python benchmarks/curve_features.py"
TABLE = bench.RESULTS / "curve_features.md"
BOTTOM_DEPTH = 0.2
HINDSIGHT_OFFSETS = np.arange(-2.0, 2.0, 0.02)
FEATURES = ("fall", "noise", "bottom width", "minimum to end", "knee to end")


def bottom_width(rates: np.ndarray, values: np.ndarray) -> float:
    """The decades around the lowest loss over which the loss stays within BOTTOM_DEPTH of it."""
    lowest = int(np.argmin(values))
    level = values[lowest] + BOTTOM_DEPTH * (values[: lowest + 1].max() - values[lowest])
    above = values > level
    left = lowest - int(np.argmax(above[lowest::-1])) + 1 if above[:lowest].any() else 0
    right = lowest + int(np.argmax(above[lowest:])) - 1 if above[lowest:].any() else len(values) - 1
    return math.log10(rates[right] / rates[left])


def readings(curve: keras_lrfinder.LRFinderResult) -> dict[str, float]:
    """log10 of the knee of one curve, and its features."""
    smoothed = curve.smoothed_losses
    rates, values = suggest._usable_curve(curve.learning_rates, smoothed)
    lowest = int(np.argmin(values))
    top = values[: lowest + 1].max()
    depth = top - values[lowest]
    knee = math.log10(suggest.knee(curve.learning_rates, smoothed))
    raw = curve.losses[np.isfinite(curve.losses)]
    last = math.log10(curve.learning_rates[len(raw) - 1])
    return {
        "knee": knee,
        "fall": depth / abs(top),
        "noise": math.log10(np.median(np.abs(np.diff(raw[: len(raw) // 2]))) / depth),
        "bottom width": bottom_width(rates, values),
        "minimum to end": last - math.log10(rates[lowest]),
        "knee to end": last - knee,
    }


def hindsight_regret(task: consensus_factor.TaskCurves) -> float:
    """The lowest median regret over finder seeds of the consensus means moved by one offset."""
    return min(
        consensus_factor.regrets_at(10**offset, [task])[task.name] for offset in HINDSIGHT_OFFSETS
    )


def main() -> None:
    cache = bench.Cache(bench.CACHE, refresh=False)
    rows = []
    for curves in consensus_factor.task_curves(cache):
        task = bench.TASKS_BY_NAME[curves.name]
        lab = bench.Lab(task, cache)
        grid = lab.grid()
        best = math.log10(min(grid, key=grid.get))
        per_seed = [
            readings(lab.curve(bench.DESIGN_SWEEP, seed))
            for seed, mean in zip(bench.FINDER_SEEDS, curves.means)
            if mean is not None  # no suggestion: `consensus`, and so `knee`, found no basis
        ]
        row = {name: statistics.median(r[name] for r in per_seed) for name in per_seed[0]}
        row["vs knee"] = best - row["knee"]
        row["vs consensus mean"] = best - statistics.median(
            mean for mean in curves.means if mean is not None
        )
        row["hindsight regret"] = hindsight_regret(curves)
        rows.append((task, curves.kind, row))
    columns = ("vs knee", "vs consensus mean", "hindsight regret", *FEATURES)
    lines = [
        "# Features of the range-test curve against the best rate",
        "",
        f"Command: `{COMMAND}` (read from the cache of benchmarks/suggestion_quality.py; "
        "300-step curves, median over finder seeds; decades).",
        "",
        "| task | split | optimizer | " + " | ".join(columns) + " |",
        "|---|---|---|" + "---|" * len(columns),
    ]
    for task, kind, row in sorted(rows, key=lambda r: (r[1], r[2]["vs consensus mean"])):
        cells = " | ".join(
            f"{row[c]:.3f}" if c == "hindsight regret" else f"{row[c]:+.2f}" for c in columns
        )
        lines.append(f"| {task.name} | {task.split} | {kind} | {cells} |")
    hindsight = [row["hindsight regret"] for _, _, row in rows]
    lines += [
        "",
        "With each task's own offset, known in hindsight: median regret "
        f"{statistics.median(hindsight):.3f}, worst {max(hindsight):.3f}.",
        "",
        "Correlation of each feature with the offset the consensus mean needs:",
        "",
    ]
    for kind in ("adaptive", "sgd"):
        chosen = [row for _, k, row in rows if k == kind]
        offsets = [row["vs consensus mean"] for row in chosen]
        correlations = {
            name: np.corrcoef([row[name] for row in chosen], offsets)[0, 1] for name in FEATURES
        }
        lines.append(
            f"- {kind} ({len(chosen)} tasks, offsets {min(offsets):+.2f} to {max(offsets):+.2f}, "
            f"std {np.std(offsets):.2f} decades): "
            + ", ".join(f"{name} {value:+.2f}" for name, value in correlations.items())
        )
    table = "\n".join(lines) + "\n"
    print(table)
    TABLE.write_text(table)


if __name__ == "__main__":
    main()
