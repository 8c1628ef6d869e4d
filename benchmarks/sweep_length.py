"""Does a longer range test suggest better? The rules on sweeps of 300, 600 and 1000 steps.

    KERAS_BACKEND=jax OMP_NUM_THREADS=1 .venv/bin/python benchmarks/sweep_length.py

For each task of benchmarks/suggestion_quality.py and each finder seed, this
script takes the benchmark's range test (1e-7 to 10, the same model init and
data order) with each number of steps in LENGTHS, smoothed with
`smoothing_for(num_steps)` (`find_lr`'s smoothing for that length: a loss a
given share of the sweep back weighs the same at every length). The
length the benchmark runs (300 steps) is its own range tests; the others
(600 and 1000) this script runs. Each rule in RULES reads every curve,
and its suggestion is scored by interpolation in log10(rate) between the
scores of the benchmark's grid, and only those: the benchmark also trains
at each 300-step suggestion, and a point there would score 300 steps
more exactly than the lengths it has no trainings for (between grid points
the interpolation lies above a loss curve that bends upwards). A curve
with no suggestion scores as the untrained model.

Reported per length and rule, over all tasks, the never-seen ones and the
last round: the median, mean and worst regret (the median over finder
seeds), the tasks above HIGH_REGRET and the mean spread (std of
log10(suggestion) over finder seeds); and how many steps the range tests ran
before they stopped. `consensus`'s suggestions are also trained, on 300
steps by the benchmark and on 1000 by this script, and scored as the
benchmark scores them. The curves this script runs are cached in
benchmarks/results/sweep_length_curves.json (their losses, which are float32
values, at float32's shortest decimal), its trainings in
benchmarks/results/sweep_length_trainings.json; `--tasks` limits the run (and then
leaves the markdown file alone). The table goes to stdout and to
benchmarks/results/sweep_length.md. Run suggestion_quality.py first: tasks
it has not run are left out.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import statistics
import time

import numpy as np
import regret_report
import suggestion_quality as bench
from consensus_factor import TaskCurves, task_curve

import keras_lrfinder
from keras_lrfinder.smoothing import smoothing_for
from keras_lrfinder.sweep import sweep_learning_rates

CACHE = bench.RESULTS / "sweep_length_curves.json"
TRAININGS = bench.RESULTS / "sweep_length_trainings.json"
TABLE = bench.RESULTS / "sweep_length.md"
COMMAND = "KERAS_BACKEND=jax OMP_NUM_THREADS=1 .venv/bin/python benchmarks/sweep_length.py"
LENGTHS = (300, 600, 1000)
RULES = ("consensus", "valley", "minimum", "knee")
HIGH_REGRET = 1.3
SPREAD = regret_report.SPREAD
STEPS_RUN = " steps run"  # the suffix of a length's column of the median steps run
START_LR, END_LR = 1e-7, 10.0  # the benchmark's sweep, find_lr's defaults
# `consensus`'s suggestions on 1000 steps are trained, as the benchmark trains
# its 300-step ones, so that the default can be scored by training on both.
TRAINED_LENGTHS = (300, 1000)
TRAINED = ", trained"  # the suffix of a trained regret's column


def sweep(num_steps: int) -> dict[str, float]:
    return {"num_steps": num_steps, "smoothing": smoothing_for(num_steps)}


def curves(
    lab: bench.Lab, cache: bench.Cache, num_steps: int
) -> list[keras_lrfinder.LRFinderResult]:
    """The task's range test of `num_steps` for each finder seed, run or read from a cache.

    The benchmark's own where it runs that length (with the same smoothing).
    """
    name = f"{num_steps} steps"
    if name in bench.SWEEPS:
        assert bench.SWEEPS[name] == sweep(num_steps), name
        return [lab.curve(name, seed) for seed in bench.FINDER_SEEDS]
    stored = cache.data["tasks"].setdefault(lab.task.name, {}).setdefault(str(num_steps), {})
    rates = sweep_learning_rates(START_LR, END_LR, num_steps)
    found = []
    for seed in bench.FINDER_SEEDS:
        if str(seed) not in stored:
            started = time.perf_counter()
            result = lab.trainer.find(seed, sweep(num_steps))
            stored[str(seed)] = {
                "losses": [float(str(np.float32(loss))) for loss in result.losses],
                "stop_reason": result.stop_reason,
            }
            cache.add_compute(time.perf_counter() - started, schedule=False)
            cache.save()
        losses = np.array(stored[str(seed)]["losses"], dtype=np.float32).astype(np.float64)
        found.append(
            keras_lrfinder.LRFinderResult(
                rates[: len(losses)],
                losses,
                smoothing=smoothing_for(num_steps),
                stop_reason=stored[str(seed)]["stop_reason"],
                optimizer_kind=keras_lrfinder.optimizer_kind(lab.task.optimizer()),
            )
        )
    return found


def column(num_steps: int, rule: str) -> str:
    return f"{rule}, {num_steps} steps"


def task_row(lab: bench.Lab, cache: bench.Cache) -> dict[str, float]:
    """Each rule's regret on each length's curves (the median over finder seeds), its spread,
    and the median number of steps each length's range tests ran."""
    scored = on_the_grid(task_curve(lab), lab.grid())
    row = {}
    for num_steps in LENGTHS:
        found = curves(lab, cache, num_steps)
        for rule in RULES:
            name = column(num_steps, rule)
            row[name], row[name + SPREAD] = regret_report.score(
                scored, functools.partial(bench.suggestion_of, method=rule), found
            )
        row[f"{num_steps}{STEPS_RUN}"] = statistics.median(len(c.losses) for c in found)
        if num_steps in TRAINED_LENGTHS:
            row[column(num_steps, "consensus") + TRAINED] = trained_regret(lab, found, num_steps)
    return row


@functools.cache
def trainings_cache() -> bench.Cache:
    return bench.Cache(TRAININGS, refresh=False)


def trained_regret(
    lab: bench.Lab, found: list[keras_lrfinder.LRFinderResult], num_steps: int
) -> float:
    """`consensus`'s regret trained at its suggestion on each curve, the median over them.

    The benchmark's own trainings where it trains that length's suggestions.
    """
    suggestions = bench.suggestions_on(found, "consensus")
    trainer = lab
    if f"{num_steps} steps" not in bench.SWEEPS:
        trainer = bench.Lab(lab.task, trainings_cache())
        # Both labs score a blown-up run as the same untrained model.
        trainer.entry.setdefault("untrained", lab.untrained_score())
    return bench.median_regret(trainer, suggestions, min(lab.grid().values()))


def on_the_grid(scored: TaskCurves, grid: dict[float, float]) -> TaskCurves:
    """`scored`, interpolating between the grid's rates alone."""
    rates = sorted(grid)
    return dataclasses.replace(
        scored,
        log_rates=np.array([math.log10(rate) for rate in rates]),
        scores=np.array([grid[rate] for rate in rates]),
    )


def report(
    rows: regret_report.Rows, tasks: list[bench.Task], cache: bench.Cache
) -> list[str]:
    columns = regret_report.by_column(rows)
    lines = [
        "# Sweep length: the rules on range tests of 300, 600 and 1000 steps",
        "",
        f"Command: `{COMMAND}`",
        "",
        "Compute (the range tests and trainings this script ran, as cached): "
        f"{cache.data['compute_seconds'] / 60:.1f} min and "
        f"{trainings_cache().data['compute_seconds'] / 60:.1f} min. "
        f"Range tests from {START_LR:g} to {END_LR:g}, "
        f"smoothed with smoothing_for(num_steps), finder seeds {list(bench.FINDER_SEEDS)}; "
        "those of the lengths that benchmarks/suggestion_quality.py runs are its own. "
        "Regret read off its grid's "
        "scores by interpolation; spread: std of log10(suggestion) over finder seeds, in "
        "decades. Steps run: the median over tasks of each task's median over finder seeds "
        "(a range test stops where the loss blows up).",
        "",
        *regret_report.summary_header("rule", HIGH_REGRET, "mean spread", "steps run"),
    ]
    for label, group in regret_report.groups(tasks).items():
        if not group:
            continue
        for num_steps in LENGTHS:
            steps_run = statistics.median(
                columns[f"{num_steps}{STEPS_RUN}"][t.name] for t in group
            )
            for rule in RULES:
                name = column(num_steps, rule)
                row = regret_report.summary_row_with_spread(
                    label, group, name, columns, HIGH_REGRET
                )
                lines.append(f"{row} {steps_run:.0f} |")
    lines += [
        "",
        "Trained at the suggestion (`consensus`; the median over finder seeds of the score at "
        "each suggestion, with the benchmark's training seeds, over the grid's best):",
        "",
        *regret_report.summary_header("rule", HIGH_REGRET),
    ]
    for label, group in regret_report.groups(tasks).items():
        if not group:
            continue
        for num_steps in TRAINED_LENGTHS:
            name = column(num_steps, "consensus") + TRAINED
            lines.append(regret_report.summary_row(label, group, name, columns[name], HIGH_REGRET))
    return lines


def main(argv: list[str] | None = None) -> None:
    description = __doc__.splitlines()[0]
    regret_report.run(argv, description, CACHE, TABLE, task_row, report)


if __name__ == "__main__":
    main()
