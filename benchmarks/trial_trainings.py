"""Do a few trial trainings around the suggestion find a better rate? And how long must they be?

    KERAS_BACKEND=jax OMP_NUM_THREADS=1 .venv/bin/python benchmarks/trial_trainings.py

For each task of benchmarks/suggestion_quality.py and each finder seed, it
takes `suggestion()` of that seed's 300-step curve, trains the model at the
suggestion and at half a decade either side (x0.32 and x3.2) for one epoch,
for half the task's epochs and for all of them (the finder seed sets the
init and the order of the batches, as a user's one run would), and keeps
the rate whose validation loss is lowest, as a user would keep the best of
their trials. A trial that blows up scores as the untrained model.

Reported, over all tasks, the never-seen ones and the last round, as in
suggestion_quality.py: the regret of the rate kept (the score at it over
the best grid score, the median over finder seeds), read off that
benchmark's cached trainings by interpolation in log10(rate), as
benchmarks/consensus_factor.py reads them; how many tasks end above a
regret of 1.2; and what the trials cost, in trainings of the task's full
length. The trials pick on
the validation data the regret is measured on, as the grid search does.
Trials are cached in benchmarks/results/trial_trainings.json; `--tasks`
limits the run (and then leaves the markdown file alone). The table goes
to stdout and to benchmarks/results/trial_trainings.md. Run
suggestion_quality.py first: tasks it has not run are left out.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable

import regret_report
import suggestion_quality as bench
from consensus_factor import task_curve

CACHE = bench.RESULTS / "trial_trainings.json"
TABLE = bench.RESULTS / "trial_trainings.md"
COMMAND = "KERAS_BACKEND=jax OMP_NUM_THREADS=1 .venv/bin/python benchmarks/trial_trainings.py"
STEPS = (-0.5, 0.0, 0.5)  # log10 of the trial rates over the suggestion
HIGH_REGRET = 1.2  # the report counts the tasks above it
LENGTHS: dict[str, Callable[[bench.Task], int]] = {
    "one epoch": lambda task: 1,
    "half the epochs": lambda task: max(1, round(task.epochs / 2)),
    "all the epochs": lambda task: task.epochs,
}


def trial_losses(
    lab: bench.Lab, cache: bench.Cache, length: str, seed: int, suggestion: float
) -> dict[float, float]:
    """Validation loss of each trial rate's training, keyed by its step in STEPS.

    Cached by seed and suggestion, so that a change of the rule trains its new suggestions.
    """
    trials = cache.data["tasks"].setdefault(lab.task.name, {}).setdefault(length, {})
    key = f"{seed} at {bench.lr_key(suggestion)}"
    if key not in trials:
        started = time.perf_counter()
        epochs = LENGTHS[length](lab.task)
        trials[key] = {
            str(step): lab.trainer.train(suggestion * 10**step, seed, epochs) for step in STEPS
        }
        cache.add_compute(time.perf_counter() - started, schedule=False)
        cache.save()
    return {float(step): lab.counted(loss) for step, loss in trials[key].items()}


def regrets(lab: bench.Lab, cache: bench.Cache) -> dict[str, float]:
    """The task's regret at the suggestion and at the rate each length of trials keeps.

    A curve with no suggestion has no rate to try either: it scores as the
    benchmark scores it, as the untrained model.
    """
    scored = task_curve(lab)
    suggestions = bench.suggestions(lab, bench.DESIGN_SWEEP, bench.DEFAULT_METHOD)
    row = {
        "the suggestion, no trials": statistics.median(
            scored.regret(None if s is None else math.log10(s)) for s in suggestions
        )
    }
    for length in LENGTHS:
        kept = []
        for seed, suggestion in zip(bench.FINDER_SEEDS, suggestions):
            if suggestion is None:
                kept.append(scored.regret(None))
                continue
            losses = trial_losses(lab, cache, length, seed, suggestion)
            kept.append(scored.regret(math.log10(suggestion) + min(losses, key=losses.get)))
        row[f"best of {len(STEPS)} trials, {length}"] = statistics.median(kept)
    return row


def cost(tasks: list[bench.Task], length: str) -> float:
    """What a set of trials costs, in trainings of the task's full length (median over tasks)."""
    return statistics.median(len(STEPS) * LENGTHS[length](task) / task.epochs for task in tasks)


def report(
    rows: regret_report.Rows, tasks: list[bench.Task], cache: bench.Cache
) -> list[str]:
    lines = [
        "# Trial trainings around the suggestion",
        "",
        f"Command: `{COMMAND}`",
        "",
        f"Compute (the trials, as cached): {cache.data['compute_seconds'] / 60:.1f} min. "
        f"Trial rates: the suggestion x 10^{list(STEPS)}; finder seeds {list(bench.FINDER_SEEDS)}; "
        "regret read off benchmarks/suggestion_quality.py's cached trainings by interpolation.",
        "",
        *regret_report.summary_header("rate", HIGH_REGRET, "cost (full trainings)"),
    ]
    for label, group in regret_report.groups(tasks).items():
        if not group:
            continue
        for variant, regrets in regret_report.by_column(rows).items():
            length = variant.rpartition(", ")[2]
            spent = f"{cost(group, length):.1f}" if length in LENGTHS else "0"
            row = regret_report.summary_row(label, group, variant, regrets, HIGH_REGRET)
            lines.append(f"{row} {spent} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    description = __doc__.splitlines()[0]
    regret_report.run(argv, description, CACHE, TABLE, regrets, report)


if __name__ == "__main__":
    main()
