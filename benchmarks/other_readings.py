"""Would another reading of the range test suggest better? Other means, a cap, the validation loss.

    KERAS_BACKEND=jax OMP_NUM_THREADS=1 .venv/bin/python benchmarks/other_readings.py

`consensus` takes the geometric mean of three readings of the smoothed
training loss (`knee`, `valley` and `minimum`) times a factor for the kind
of optimizer. For each task of benchmarks/suggestion_quality.py and each
finder seed, this script reads the same 300-step range test in other ways:

- the median of the readings: their median in place of their geometric
  mean, times the same factor (`valley` alone stays alone where
  `consensus` reads it alone);
- at most D decades below the blow-up (D in CAPS): `consensus`, raised to D
  decades below the last rate of a range test that stopped because the loss
  blew up (one that ran to `end_lr` is left as it is). Where it stops is
  the one reading of an all but flat curve that hardly moves between
  finder seeds;
- the validation loss: `consensus` read off the loss on the first
  VALIDATION_SAMPLES samples of the task's validation set (the one its
  regret is measured on, as a user's validation data would be), which
  `find_lr(..., validation_data=...)` records after each step, smoothed as
  the training loss is, in place of the training loss. Its range test is
  the benchmark's own, run again with the validation data (the script
  checks that its training losses are the cached ones). Only on the tasks
  whose models have no recurrent, attention or Conv1D layers (their names
  say so): on 2 CPU cores a validation pass at every step costs those
  several minutes per range test.

Each is scored as benchmarks/consensus_factor.py scores a rate, by
interpolation in log10(rate) between the benchmark's cached trainings; a
curve with no suggestion scores as the untrained model. Reported, over all
tasks, the never-seen ones and the last round (for the validation loss,
over those of them it ran on, beside `consensus` on the same tasks): the
median, mean and worst
regret (the median over finder seeds), the tasks above HIGH_REGRET, and the
mean spread (std of log10(suggestion) over finder seeds). The validation
losses are cached in benchmarks/results/validation_curves.json; `--tasks`
limits the run (and then leaves the markdown file alone). The table goes
to stdout and to benchmarks/results/other_readings.md. Run
suggestion_quality.py first: tasks it has not run are left out.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from collections.abc import Sequence
from unittest import mock

import numpy as np
import regret_report
import suggestion_quality as bench
from consensus_factor import task_curve
from numpy.typing import ArrayLike

import keras_lrfinder
from keras_lrfinder import suggest

CACHE = bench.RESULTS / "validation_curves.json"
TABLE = bench.RESULTS / "other_readings.md"
COMMAND = "KERAS_BACKEND=jax OMP_NUM_THREADS=1 .venv/bin/python benchmarks/other_readings.py"
VALIDATION_SAMPLES = 512  # a few batches, as the README advises for `validation_data`
CAPS = (2, 3)  # decades below the blow-up
HIGH_REGRET = 1.3
SEQUENCE_MODELS = ("gru", "lstm", "attention", "conv1d")  # as task names spell them

Reading = regret_report.Reading
SPREAD = regret_report.SPREAD


def consensus(curve: keras_lrfinder.LRFinderResult) -> float:
    return curve.suggestion("consensus")


def _scaled_median(
    readings: Sequence[float], learning_rates: ArrayLike, losses: ArrayLike, factor: float
) -> float:
    """`suggest._scaled_geometric_mean` with the median in place of the mean (in log space)."""
    rates, _ = suggest._usable_curve(learning_rates, losses)
    suggestion = factor * np.exp(np.median(np.log(readings)))
    return float(np.clip(suggestion, rates[0], rates[-1]))


def median_of_readings(curve: keras_lrfinder.LRFinderResult) -> float:
    # Patched rather than copied, so that all else `consensus` does stays as it is.
    with mock.patch.object(suggest, "_scaled_geometric_mean", _scaled_median):
        return consensus(curve)


def validation_curves(
    lab: bench.Lab, cache: bench.Cache, training: list[keras_lrfinder.LRFinderResult]
) -> list[keras_lrfinder.LRFinderResult]:
    """The range tests `training` (one per finder seed) with their validation losses in place
    of their training losses."""
    stored = cache.data["tasks"].setdefault(lab.task.name, {})
    curves = []
    for seed, curve in zip(bench.FINDER_SEEDS, training):
        if str(seed) not in stored:
            started = time.perf_counter()
            trainer = lab.trainer
            validation_data = (
                trainer.x_val[:VALIDATION_SAMPLES],
                trainer.y_val[:VALIDATION_SAMPLES],
            )
            found = trainer.find(seed, bench.SWEEPS[bench.DESIGN_SWEEP], validation_data)
            np.testing.assert_allclose(
                found.losses,
                curve.losses,
                rtol=1e-4,
                atol=1e-6,
                err_msg=f"{lab.task.name}, seed {seed}: not the benchmark's range test",
            )
            stored[str(seed)] = [float(loss) for loss in found.validation_losses]
            cache.add_compute(time.perf_counter() - started, schedule=False)
            cache.save()
        curves.append(dataclasses.replace(curve, losses=np.array(stored[str(seed)])))
    return curves


READINGS: dict[str, Reading] = {
    "consensus": consensus,
    "median of the readings": median_of_readings,
    **{
        f"at most {d} decades below the blow-up": functools.partial(
            bench.capped_below_the_blow_up, decades=d
        )
        for d in CAPS
    },
}
VALIDATION_LOSS = "consensus on the validation loss"


def has_validation_reading(task: bench.Task) -> bool:
    return not any(family in task.name.split("-") for family in SEQUENCE_MODELS)


def task_row(lab: bench.Lab, cache: bench.Cache) -> dict[str, float]:
    """Each reading's regret on the task (the median over finder seeds) and its spread.

    NaN for the validation loss on a task it does not run on.
    """
    scored = task_curve(lab)
    training = [lab.curve(bench.DESIGN_SWEEP, seed) for seed in bench.FINDER_SEEDS]
    row = {}
    for name, read in READINGS.items():
        row[name], row[name + SPREAD] = regret_report.score(scored, read, training)
    row[VALIDATION_LOSS], row[VALIDATION_LOSS + SPREAD] = (
        regret_report.score(scored, consensus, validation_curves(lab, cache, training))
        if has_validation_reading(lab.task)
        else (math.nan, math.nan)
    )
    return row


def report(
    rows: regret_report.Rows, tasks: list[bench.Task], cache: bench.Cache
) -> list[str]:
    columns = regret_report.by_column(rows)
    lines = [
        "# Other readings of the range test",
        "",
        f"Command: `{COMMAND}`",
        "",
        f"Compute (the range tests with validation data, as cached): "
        f"{cache.data['compute_seconds'] / 60:.1f} min. 300-step range tests, finder seeds "
        f"{list(bench.FINDER_SEEDS)}; regret read off benchmarks/suggestion_quality.py's cached "
        "trainings by interpolation; spread: std of log10(suggestion) over finder seeds, in "
        "decades.",
        "",
        *regret_report.summary_header("reading", HIGH_REGRET, "mean spread"),
    ]
    validation_groups = {
        f"{label}, without sequence models": [t for t in group if has_validation_reading(t)]
        for label, group in regret_report.groups(tasks).items()
    }
    for readings, groups in (
        (READINGS, regret_report.groups(tasks)),
        (("consensus", VALIDATION_LOSS), validation_groups),
    ):
        for label, group in groups.items():
            if not group:
                continue
            for name in readings:
                lines.append(
                    regret_report.summary_row_with_spread(label, group, name, columns, HIGH_REGRET)
                )
    return lines


def main(argv: list[str] | None = None) -> None:
    description = __doc__.splitlines()[0]
    regret_report.run(argv, description, CACHE, TABLE, task_row, report)


if __name__ == "__main__":
    main()
