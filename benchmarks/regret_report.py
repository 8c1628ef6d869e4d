"""What the scripts that read suggestion_quality.py's cache share: their main, their tables."""

from __future__ import annotations

import argparse
import math
import statistics
from collections.abc import Callable
from pathlib import Path

import numpy as np
import suggestion_quality as bench
from consensus_factor import TaskCurves

import keras_lrfinder

Rows = dict[str, dict[str, float]]  # {task name: {column: value}}
Reading = Callable[[keras_lrfinder.LRFinderResult], float]
SPREAD = " spread"  # the suffix of a row's spread columns


def run(
    argv: list[str] | None,
    description: str,
    cache_path: Path,
    table_path: Path,
    task_row: Callable[[bench.Lab, bench.Cache], dict[str, float]],
    report: Callable[[Rows, list[bench.Task], bench.Cache], list[str]],
) -> None:
    """A script's main: a row per task that suggestion_quality.py has run, then its report.

    `task_row` computes through its own cache at `cache_path`; `report` gives
    the lines above the per-task table. The report goes to stdout, and,
    unless `--tasks` limits the run, to `table_path`.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--tasks", help="comma-separated task names (default: all)")
    args = parser.parse_args(argv)
    benchmark = bench.Cache(bench.CACHE, refresh=False)
    cache = bench.Cache(cache_path, refresh=False)
    tasks = reported_tasks(parser, args.tasks, benchmark)
    rows = {task.name: task_row(bench.Lab(task, benchmark), cache) for task in tasks}
    table = "\n".join([*report(rows, tasks, cache), "", *per_task_table(rows, tasks)]) + "\n"
    print(table)
    if not args.tasks:
        table_path.write_text(table)


def reported_tasks(
    parser: argparse.ArgumentParser, names: str | None, benchmark: bench.Cache
) -> list[bench.Task]:
    """The tasks `--tasks` names (all by default) that suggestion_quality.py has run."""
    chosen = bench.chosen(parser, "--tasks", names, list(bench.TASKS_BY_NAME))
    return [bench.TASKS_BY_NAME[n] for n in chosen if n in benchmark.data["tasks"]]


def groups(tasks: list[bench.Task]) -> dict[str, list[bench.Task]]:
    """All the tasks, the never-seen ones and the last round's, as labelled in the tables."""
    last_round = bench.TASKS[-1].split
    return {
        "all": tasks,
        bench.NEVER_SEEN_LABEL: [t for t in tasks if t.split in bench.NEVER_SEEN_SPLITS],
        last_round: [t for t in tasks if t.split == last_round],
    }


def summary_header(what: str, above: float, *extra: str) -> list[str]:
    """The header of `summary_row`'s table, with `extra` columns after its own."""
    columns = ["tasks", what, "median regret", "mean regret", "worst regret", "worst task"]
    columns += [f"tasks above {above}", *extra]
    return ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]


def summary_row(
    label: str, group: list[bench.Task], column: str, regrets: dict[str, float], above: float
) -> str:
    """`| label (n tasks) | column | median | mean | worst | worst task | tasks above |`."""
    by_task = {t.name: regrets[t.name] for t in group}
    worst = max(by_task, key=by_task.get)
    return (
        f"| {label} ({len(group)} tasks) | {column} "
        f"| {statistics.median(by_task.values()):.3f} "
        f"| {statistics.mean(by_task.values()):.3f} | {by_task[worst]:.3f} | {worst} "
        f"| {sum(r > above for r in by_task.values())} |"
    )


def summary_row_with_spread(
    label: str, group: list[bench.Task], column: str, columns: dict, above: float
) -> str:
    """`summary_row` of `columns[column]`, then the mean over the group of its spread column."""
    row = summary_row(label, group, column, columns[column], above)
    spread = statistics.mean(columns[column + SPREAD][t.name] for t in group)
    return f"{row} {spread:.3f} |"


def score(
    scored: TaskCurves, read: Reading, curves: list[keras_lrfinder.LRFinderResult]
) -> tuple[float, float]:
    """The median regret over the curves of what `read` suggests on each, and its spread."""
    logs = []
    for curve in curves:
        try:
            logs.append(math.log10(read(curve)))
        except keras_lrfinder.NoSuggestionError:
            logs.append(None)
    found = [log for log in logs if log is not None]
    spread = float(np.std(found)) if len(found) > 1 else 0.0
    return statistics.median(scored.regret(log) for log in logs), spread


def by_column(rows: Rows) -> dict[str, dict[str, float]]:
    """Rows of {column: value} by task name, turned into {column: {task name: value}}."""
    columns = next(iter(rows.values()))
    return {column: {name: row[column] for name, row in rows.items()} for column in columns}


def per_task_table(rows: Rows, tasks: list[bench.Task]) -> list[str]:
    """A row per task, a column per key of its row."""
    columns = list(rows[tasks[0].name])
    lines = ["| task | split | " + " | ".join(columns) + " |"]
    lines.append("|---|---|" + "---|" * len(columns))
    for task in tasks:
        cells = " | ".join(f"{rows[task.name][c]:.3f}" for c in columns)
        lines.append(f"| {task.name} | {task.split} | {cells} |")
    return lines
