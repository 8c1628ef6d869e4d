"""How much of a regret is the grid search's luck? Its best rate, trained again on fresh seeds.

    KERAS_BACKEND=jax OMP_NUM_THREADS=1 .venv/bin/python benchmarks/grid_noise.py

benchmarks/suggestion_quality.py picks the grid's best rate by the mean
validation loss over its four training seeds, and divides by that same mean.
The lowest of twenty or more noisy means is lower than the rate's true mean,
so where training is noisy the regret of every rule counts the grid's luck
as well. This script trains each task's best grid rate again on four fresh
seeds (FRESH_SEEDS: new inits and new batch orders, with the grid's
protocol), and each rule's suggestions too, and reports, over all tasks,
the never-seen ones and the last round:

- the grid search's own regret on the fresh seeds: their mean loss at its
  best rate over the mean the grid chose it by. Where that is well above
  1, the best grid score is partly luck, and no rule could be sure to come
  within it;
- each rule's regret on the fresh seeds: its score at each suggestion over
  the score at the grid's best rate, both on the fresh seeds (the median
  over finder seeds, as the benchmark takes it). Neither the choice of the
  grid's best rate nor the suggestions saw those trainings, so the ratio
  compares a rule with the grid search as procedures, seed for seed, and
  not with the grid's luckiest draw.

The regrets as the benchmark scores them come beside them, read from its
cache. The fresh trainings are cached in benchmarks/results/grid_noise.json
(apart from the benchmark's, whose scans read only the seeds it trains);
`--tasks` limits the run (and then leaves the markdown file alone). The
table goes to stdout and to benchmarks/results/grid_noise.md. Run
suggestion_quality.py first: tasks it has not run are left out.
"""

from __future__ import annotations

import regret_report
import suggestion_quality as bench

CACHE = bench.RESULTS / "grid_noise.json"
TABLE = bench.RESULTS / "grid_noise.md"
COMMAND = "KERAS_BACKEND=jax OMP_NUM_THREADS=1 .venv/bin/python benchmarks/grid_noise.py"
FRESH_SEEDS = (4, 5, 6, 7)
METHODS = ("consensus", "valley", "minimum")
TARGET = 1.3  # the worst regret; the report counts the tasks above it


def task_row(lab: bench.Lab, cache: bench.Cache) -> dict[str, float]:
    """The grid's own regret on fresh seeds, and each rule's regret on both sets of seeds."""
    grid = lab.grid()
    best_rate = min(grid, key=grid.get)
    fresh = bench.Lab(lab.task, cache)
    # Both labs score a blown-up run as the same untrained model.
    fresh.entry.setdefault("untrained", lab.untrained_score())
    fresh_best = fresh.score(best_rate, FRESH_SEEDS)
    row = {"grid's best, fresh seeds": fresh_best / grid[best_rate]}
    for method in METHODS:
        found = bench.suggestions(lab, bench.DESIGN_SWEEP, method)
        row[method] = bench.median_regret(lab, found, grid[best_rate])
        row[f"{method}, fresh seeds"] = bench.median_regret(fresh, found, fresh_best, FRESH_SEEDS)
    return row


def report(
    rows: regret_report.Rows, tasks: list[bench.Task], cache: bench.Cache
) -> list[str]:
    lines = [
        "# The grid search's luck: its best rate trained again on fresh seeds",
        "",
        f"Command: `{COMMAND}`",
        "",
        f"Compute (the fresh trainings, as cached): {cache.data['compute_seconds'] / 60:.1f} min. "
        f"Fresh seeds {list(FRESH_SEEDS)}; the benchmark's seeds {list(bench.TRAINING_SEEDS)}; "
        f"rules on the {bench.DESIGN_SWEEP!r} curves, the median over finder seeds.",
        "",
        f"| tasks | regret of | median | mean | worst | worst task | tasks above {TARGET} |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, group in regret_report.groups(tasks).items():
        if group:
            lines += [
                regret_report.summary_row(label, group, column, regrets, TARGET)
                for column, regrets in regret_report.by_column(rows).items()
            ]
    return lines


def main(argv: list[str] | None = None) -> None:
    description = __doc__.splitlines()[0]
    regret_report.run(argv, description, CACHE, TABLE, task_row, report)


if __name__ == "__main__":
    main()
