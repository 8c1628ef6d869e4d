"""How the factors of the `consensus` rule were chosen: a scan over the cached trainings.

    KERAS_BACKEND=jax .venv/bin/python benchmarks/consensus_factor.py

For each kind of optimizer it takes the tasks of
benchmarks/suggestion_quality.py that the factor was chosen on (for
adaptive optimizers the first 20 tasks, up to the held-out 2 ones; for SGD
the first 34, up to the held-out 4 ones), and then all of that kind's
tasks, and reads the score of a rate off the trainings that benchmark has
cached, at every constant rate it has trained (the grid and the rules'
suggestions, 4 seeds each), interpolating linearly in log10(rate). It then
reports, for each factor, the median, mean and worst regret over those
tasks of the rule

    factor x the geometric mean of knee (without its factor), valley and minimum

read on each finder seed's 300-step curve (the median over seeds, as the
benchmark does), and, leaving each task out in turn, the factor that the
others pick (by the lowest worst regret, then the lowest median; and by
the lowest mean) and that task's regret at it. Last, the rule's factors
beside ALTERNATIVE_FACTORS and beside no factor at all, kind by kind, over
the tasks the factor was chosen on, the never-seen ones and all. Nothing
is trained: run suggestion_quality.py first; tasks it has not run yet are
left out. The interpolated regrets are estimates; the benchmark's own table
trains at the rule's suggestions.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import statistics
from collections.abc import Callable

import numpy as np
import suggestion_quality as bench

import keras_lrfinder
from keras_lrfinder import suggest

FACTORS = tuple(round(10**exponent, 2) for exponent in np.arange(-0.4, 0.65, 0.05))
# Factors for adaptive optimizers and SGD that compare_factors sets beside the rule's.
ALTERNATIVE_FACTORS = {"adaptive": 1.0, "sgd": 2.2}
NO_FACTORS = {"adaptive": 1.0, "sgd": 1.0}  # what the rule does where the kind is unknown
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


def readings(curve: keras_lrfinder.LRFinderResult) -> float | None:
    """The log10 of the geometric mean of the readings that `consensus` combines.

    None where the curve gives no suggestion.
    """
    unknown = dataclasses.replace(curve, optimizer_kind=None)
    try:
        return math.log10(unknown.suggestion("consensus") / suggest._CONSENSUS_FACTORS[None])
    except keras_lrfinder.NoSuggestionError:
        return None


@dataclasses.dataclass
class TaskCurves:
    name: str
    split: str
    kind: str | None
    log_rates: np.ndarray
    scores: np.ndarray
    best: float
    untrained: float
    means: list[float | None]  # log10 of the consensus mean, one per finder seed

    def regret(self, log_rate: float | None) -> float:
        """The regret at a rate, read off the trainings; with no rate, as the benchmark scores it."""
        if log_rate is None:
            return self.untrained / self.best
        return float(np.interp(log_rate, self.log_rates, self.scores)) / self.best


def task_curve(lab: bench.Lab) -> TaskCurves:
    """What the scans need of one task that suggestion_quality.py has run."""
    log_rates, scores = interpolated_score(lab)
    return TaskCurves(
        lab.task.name,
        lab.task.split,
        keras_lrfinder.optimizer_kind(lab.task.optimizer()),
        log_rates,
        scores,
        min(lab.grid().values()),
        lab.untrained_score(),
        [readings(lab.curve(bench.DESIGN_SWEEP, seed)) for seed in bench.FINDER_SEEDS],
    )


def task_curves(cache: bench.Cache) -> list[TaskCurves]:
    """What the scans need of every task that suggestion_quality.py has run."""
    return [
        task_curve(bench.Lab(task, cache))
        for task in bench.TASKS
        if task.name in cache.data["tasks"]
    ]


def regrets_at(factor: float, tasks: list[TaskCurves]) -> dict[str, float]:
    """Each task's median regret over finder seeds, at `factor` x the consensus mean."""
    return {
        t.name: statistics.median(
            t.regret(None if mean is None else mean + math.log10(factor)) for mean in t.means
        )
        for t in tasks
    }


def worst_then_median(regrets: list[float]) -> tuple[float, float]:
    return round(max(regrets), 2), statistics.median(regrets)


def pick(
    regrets: dict[float, dict[str, float]],
    leave_out: str | None = None,
    criterion: Callable[[list[float]], object] = worst_then_median,
) -> float:
    """The factor that `criterion` of the regrets ranks lowest, leaving out one task."""

    def rank(factor: float) -> object:
        return criterion([r for name, r in regrets[factor].items() if name != leave_out])

    return min(regrets, key=rank)


def scan(title: str, tasks: list[TaskCurves]) -> None:
    """Prints each factor's regrets over `tasks` and the leave-one-out picks."""
    regrets = {factor: regrets_at(factor, tasks) for factor in FACTORS}
    print(f"\n{title}: {len(tasks)} tasks ({', '.join(t.name for t in tasks)})\n")
    print("| factor | median regret | mean regret | worst regret | worst task |")
    print("|---|---|---|---|---|")
    for factor, by_task in regrets.items():
        worst = max(by_task, key=by_task.get)
        print(
            f"| {factor:.2f} | {statistics.median(by_task.values()):.3f} "
            f"| {statistics.mean(by_task.values()):.3f} | {by_task[worst]:.3f} | {worst} |"
        )
    for label, criterion in (
        ("the lowest worst regret, then median", worst_then_median),
        ("the lowest mean regret", statistics.mean),
    ):
        left_out = {t.name: pick(regrets, t.name, criterion) for t in tasks}
        held = [regrets[factor][name] for name, factor in left_out.items()]
        picks = collections.Counter(left_out.values()).most_common()
        print(
            f"\nEach task left out in turn, the others pick by {label}: "
            + ", ".join(f"x{factor:.2f} for {count}" for factor, count in picks)
            + f"; the left-out tasks' regret there: median {statistics.median(held):.3f}, "
            f"worst {max(held):.3f}"
        )


def compare_factors(tasks: list[TaskCurves]) -> None:
    """The rule's factors against ALTERNATIVE_FACTORS and no factor at all, kind by kind.

    Over the tasks each kind's factor was chosen on, the never-seen ones and
    all; and, task by task, how often each alternative beats the rule.
    """
    candidates = {
        "the rule's": suggest._CONSENSUS_FACTORS,
        "alternative": ALTERNATIVE_FACTORS,
        "none": NO_FACTORS,
    }
    regrets = {}
    for label, factors in candidates.items():
        regrets[label] = {}
        for kind in ("adaptive", "sgd"):
            regrets[label] |= regrets_at(factors[kind], [t for t in tasks if t.kind == kind])
    groups = {
        "chosen on": lambda t: t.split in DESIGN_SPLITS[t.kind],
        "never seen": lambda t: t.split in bench.NEVER_SEEN_SPLITS,
        "all": lambda t: True,
    }
    print("\nMedian / worst regret (tasks), and tasks where the factors do better / worse")
    print("than the rule's by more than 0.5%:\n")
    print("| factors | kind | " + " | ".join(groups) + " |")
    print("|---|---|" + "---|" * len(groups))
    for label, factors in candidates.items():
        for kind in ("adaptive", "sgd", "both"):
            cells = []
            for in_group in groups.values():
                group = [t for t in tasks if in_group(t) and kind in (t.kind, "both")]
                chosen = [regrets[label][t.name] for t in group]
                rule = [regrets["the rule's"][t.name] for t in group]
                better = sum(c < r / 1.005 for c, r in zip(chosen, rule))
                worse = sum(c > r * 1.005 for c, r in zip(chosen, rule))
                cells.append(
                    f"{statistics.median(chosen):.3f} / {max(chosen):.3f} ({len(chosen)})"
                    + ("" if label == "the rule's" else f", {better} / {worse}")
                )
            named = f"{label} (adaptive x{factors['adaptive']}, sgd x{factors['sgd']})"
            print(f"| {named} | {kind} | " + " | ".join(cells) + " |")


def main() -> None:
    tasks = task_curves(bench.Cache(bench.CACHE, refresh=False))
    for kind, splits in DESIGN_SPLITS.items():
        scan(
            f"{kind}, the tasks its factor was chosen on",
            [t for t in tasks if t.kind == kind and t.split in splits],
        )
    for kind in DESIGN_SPLITS:
        scan(f"{kind}, all tasks", [t for t in tasks if t.kind == kind])
    compare_factors(tasks)


if __name__ == "__main__":
    main()
