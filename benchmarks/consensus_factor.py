"""How the factors of the `consensus` rule were chosen: a scan over the cached trainings.

    KERAS_BACKEND=jax .venv/bin/python benchmarks/consensus_factor.py

For each kind of optimizer it takes the tasks of
benchmarks/suggestion_quality.py that the factor was chosen on (for
adaptive optimizers the first 20 tasks, up to the held-out 2 ones; for SGD
the first 34, up to the held-out 4 ones) and reads the score of
a rate off the trainings that benchmark has cached, at every constant rate
it has trained (the grid and the rules' suggestions, 4 seeds each),
interpolating linearly in log10(rate). It then reports, for each factor,
the median and worst regret over those tasks of the rule

    factor x the geometric mean of knee (without its factor), valley and minimum

read on each finder seed's 300-step curve (the median over seeds, as the
benchmark does), and, leaving each task out in turn, the factor that the
others pick (the lowest worst regret, then the lowest median) and that
task's regret at it. Nothing is trained: run suggestion_quality.py first.
The interpolated regrets are estimates; the benchmark's own table trains at
the rule's suggestions.
"""

from __future__ import annotations

import dataclasses
import math
import statistics

import numpy as np
import suggestion_quality as bench

import keras_lrfinder
from keras_lrfinder import suggest

FACTORS = tuple(round(10**exponent, 2) for exponent in np.arange(-0.4, 0.65, 0.05))
DESIGN_SPLITS = {
    "adaptive": ("tuning", "held-out", "held-out 2"),
    "sgd": ("tuning", "held-out", "held-out 2", "held-out 3", "held-out 4"),
}


def interpolated_score(lab: bench.Lab) -> tuple[np.ndarray, np.ndarray]:
    """log10(rate) and score of every constant rate trained with all the training seeds."""
    points = []
    for key, losses in lab.entry["trainings"].items():
        try:
            rate = float(key)
        except ValueError:
            continue  # a schedule
        # With every seed cached, `score` reads the cache and trains nothing.
        if len(losses) == len(bench.TRAINING_SEEDS):
            points.append((math.log10(rate), lab.score(rate)))
    points.sort()
    return np.array([p[0] for p in points]), np.array([p[1] for p in points])


def readings(curve: keras_lrfinder.LRFinderResult) -> float:
    """The log10 of the geometric mean of the readings that `consensus` combines."""
    unknown = dataclasses.replace(curve, optimizer_kind=None)
    return math.log10(unknown.suggestion("consensus") / suggest._CONSENSUS_FACTORS[None])


def regrets_by_factor(kind: str, cache: bench.Cache) -> dict[float, dict[str, float]]:
    """For each factor, each design task's median regret over finder seeds."""
    per_task = {}
    for task in bench.TASKS:
        if task.split not in DESIGN_SPLITS[kind]:
            continue
        if keras_lrfinder.optimizer_kind(task.optimizer()) != kind:
            continue
        lab = bench.Lab(task, cache)
        log_rates, scores = interpolated_score(lab)
        best = min(lab.grid().values())
        means = [readings(lab.curve(bench.DEFAULT_SWEEP, seed)) for seed in bench.FINDER_SEEDS]
        per_task[task.name] = (log_rates, scores, best, means)
    return {
        factor: {
            name: statistics.median(
                float(np.interp(mean + math.log10(factor), log_rates, scores)) / best
                for mean in means
            )
            for name, (log_rates, scores, best, means) in per_task.items()
        }
        for factor in FACTORS
    }


def pick(regrets: dict[float, dict[str, float]], leave_out: str | None = None) -> float:
    """The factor with the lowest worst regret (to 0.01), then the lowest median."""

    def rank(factor: float) -> tuple[float, float]:
        kept = [r for name, r in regrets[factor].items() if name != leave_out]
        return round(max(kept), 2), statistics.median(kept)

    return min(regrets, key=rank)


def main() -> None:
    cache = bench.Cache(bench.CACHE, refresh=False)
    for kind in DESIGN_SPLITS:
        regrets = regrets_by_factor(kind, cache)
        names = list(regrets[FACTORS[0]])
        print(f"\n{kind}: {len(names)} tasks ({', '.join(names)})\n")
        print("| factor | median regret | worst regret | worst task |")
        print("|---|---|---|---|")
        for factor, by_task in regrets.items():
            worst = max(by_task, key=by_task.get)
            print(
                f"| {factor:.2f} | {statistics.median(by_task.values()):.3f} "
                f"| {by_task[worst]:.3f} | {worst} |"
            )
        left_out = {name: pick(regrets, leave_out=name) for name in names}
        held = [regrets[factor][name] for name, factor in left_out.items()]
        print("\nEach task left out in turn: the factor the others pick, and its regret there")
        print(
            ", ".join(
                f"{name} x{factor:.2f} {regrets[factor][name]:.3f}"
                for name, factor in left_out.items()
            )
        )
        print(f"median {statistics.median(held):.3f}, worst {max(held):.3f}")


if __name__ == "__main__":
    main()
