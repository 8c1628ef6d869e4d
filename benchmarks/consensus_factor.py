"""How the factor of the `consensus` rule was chosen: a scan over the cached trainings.

    KERAS_BACKEND=jax .venv/bin/python benchmarks/consensus_factor.py

For the tasks that `consensus` was designed on (the first 20 of
benchmarks/suggestion_quality.py: all but the held-out 3 and 4 ones), it
reads the score of a rate off the trainings that benchmark has cached, at
every constant rate it has trained
(the grid and the rules' suggestions, 4 seeds each), interpolating linearly
in log10(rate). It then reports, for each factor, the median and worst
regret over the adaptive tasks of the rule

    factor x the geometric mean of knee (without its factor), valley and minimum

read on each finder seed's 300-step curve (the median over seeds, as the
benchmark does). Nothing is trained: run suggestion_quality.py first. The
interpolated regrets are estimates; the benchmark's own table trains at the
rule's suggestions. Since the cache holds those trainings for the factor
chosen, 0.8, its row reads them where the other rows interpolate.
"""

from __future__ import annotations

import dataclasses
import math
import statistics

import numpy as np
import suggestion_quality as bench

import keras_lrfinder
from keras_lrfinder import suggest

FACTORS = (0.4, 0.5, 0.56, 0.63, 0.71, 0.8, 0.89, 1.0, 1.12, 1.26)


def interpolated_score(lab: bench.Lab) -> tuple[np.ndarray, np.ndarray]:
    """log10(rate) and score of every constant rate trained with all the training seeds."""
    points = []
    for key, losses in lab.entry["trainings"].items():
        try:
            rate = float(key)
        except ValueError:
            continue  # a schedule
        if len(losses) == len(bench.TRAINING_SEEDS):  # so `score` reads the cache and trains nothing
            points.append((math.log10(rate), lab.score(rate)))
    points.sort()
    return np.array([p[0] for p in points]), np.array([p[1] for p in points])


def readings(curve: keras_lrfinder.LRFinderResult) -> float:
    """The log10 of the geometric mean of the readings that `consensus` combines."""
    adaptive = dataclasses.replace(curve, optimizer_kind="adaptive")
    return math.log10(adaptive.suggestion("consensus") / suggest._CONSENSUS_FACTOR)


def main() -> None:
    cache = bench.Cache(bench.CACHE, refresh=False)
    per_task = {}
    for task in bench.TASKS:
        adaptive = keras_lrfinder.optimizer_kind(task.optimizer()) == "adaptive"
        if task.split in ("held-out 3", "held-out 4") or not adaptive:
            continue
        lab = bench.Lab(task, cache)
        log_rates, scores = interpolated_score(lab)
        best = min(lab.grid().values())
        means = [readings(lab.curve(bench.DEFAULT_SWEEP, seed)) for seed in bench.FINDER_SEEDS]
        per_task[task.name] = (log_rates, scores, best, means)
    print(f"{len(per_task)} adaptive tasks: {', '.join(per_task)}")
    print("| factor | median regret | worst regret | worst task |")
    print("|---|---|---|---|")
    for factor in FACTORS:
        regrets = {
            name: statistics.median(
                float(np.interp(mean + math.log10(factor), log_rates, scores)) / best
                for mean in means
            )
            for name, (log_rates, scores, best, means) in per_task.items()
        }
        worst = max(regrets, key=regrets.get)
        print(
            f"| {factor:.2f} | {statistics.median(regrets.values()):.3f} "
            f"| {regrets[worst]:.3f} | {worst} |"
        )


if __name__ == "__main__":
    main()
