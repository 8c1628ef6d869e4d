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

import argparse
import statistics

import suggestion_quality as bench

CACHE = bench.RESULTS / "grid_noise.json"
TABLE = bench.RESULTS / "grid_noise.md"
COMMAND = "KERAS_BACKEND=jax OMP_NUM_THREADS=1 .venv/bin/python benchmarks/grid_noise.py"
FRESH_SEEDS = (4, 5, 6, 7)
METHODS = ("consensus", "valley", "minimum")
TARGET = 1.3  # the worst regret; the report counts the tasks above it


def task_row(task: bench.Task, benchmark: bench.Cache, cache: bench.Cache) -> dict[str, float]:
    """The grid's own regret on fresh seeds, and each rule's regret on both sets of seeds."""
    lab = bench.Lab(task, benchmark)
    grid = lab.grid()
    best_rate = min(grid, key=grid.get)
    fresh = bench.Lab(task, cache)
    # Both labs score a blown-up run as the same untrained model.
    fresh.entry.setdefault("untrained", lab.untrained_score())
    fresh_best = fresh.score(best_rate, FRESH_SEEDS)
    row = {"grid's best, fresh seeds": fresh_best / grid[best_rate]}
    for method in METHODS:
        found = bench.suggestions(lab, bench.DEFAULT_SWEEP, method)
        row[method] = bench.median_regret(lab, found, grid[best_rate])
        row[f"{method}, fresh seeds"] = bench.median_regret(fresh, found, fresh_best, FRESH_SEEDS)
    return row


def report(rows: dict[str, dict[str, float]], tasks: list[bench.Task], cache: bench.Cache) -> str:
    columns = list(next(iter(rows.values())))
    last_round = bench.TASKS[-1].split
    groups = {
        "all": tasks,
        bench.NEVER_SEEN_LABEL: [t for t in tasks if t.split in bench.NEVER_SEEN_SPLITS],
        last_round: [t for t in tasks if t.split == last_round],
    }
    lines = [
        "# The grid search's luck: its best rate trained again on fresh seeds",
        "",
        f"Command: `{COMMAND}`",
        "",
        f"Compute (the fresh trainings, as cached): {cache.data['compute_seconds'] / 60:.1f} min. "
        f"Fresh seeds {list(FRESH_SEEDS)}; the benchmark's seeds {list(bench.TRAINING_SEEDS)}; "
        f"rules on the {bench.DEFAULT_SWEEP!r} curves, the median over finder seeds.",
        "",
        f"| tasks | regret of | median | mean | worst | worst task | tasks above {TARGET} |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, group in groups.items():
        if not group:
            continue
        for column in columns:
            by_task = {t.name: rows[t.name][column] for t in group}
            worst = max(by_task, key=by_task.get)
            lines.append(
                f"| {label} ({len(group)} tasks) | {column} "
                f"| {statistics.median(by_task.values()):.3f} "
                f"| {statistics.mean(by_task.values()):.3f} | {by_task[worst]:.3f} | {worst} "
                f"| {sum(r > TARGET for r in by_task.values())} |"
            )
    lines += ["", "| task | split | " + " | ".join(columns) + " |"]
    lines.append("|---|---|" + "---|" * len(columns))
    for task in tasks:
        cells = " | ".join(f"{rows[task.name][c]:.3f}" for c in columns)
        lines.append(f"| {task.name} | {task.split} | {cells} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", help="comma-separated task names (default: all)")
    args = parser.parse_args(argv)
    benchmark = bench.Cache(bench.CACHE, refresh=False)
    cache = bench.Cache(CACHE, refresh=False)
    names = bench.chosen(parser, "--tasks", args.tasks, list(bench.TASKS_BY_NAME))
    tasks = [bench.TASKS_BY_NAME[n] for n in names if n in benchmark.data["tasks"]]
    rows = {task.name: task_row(task, benchmark, cache) for task in tasks}
    table = report(rows, tasks, cache)
    print(table)
    if not args.tasks:
        TABLE.write_text(table)


if __name__ == "__main__":
    main()
