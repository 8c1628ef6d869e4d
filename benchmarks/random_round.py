"""Draws a round of benchmark tasks at random, as the held-out 23 tasks were drawn.

    KERAS_BACKEND=jax .venv/bin/python benchmarks/random_round.py --seed 23 --round "held-out 23"

The candidates are every combination of a model family in FAMILIES, an
optimizer in OPTIMIZERS and a data set of benchmarks/suggestion_quality.py
(a data function of `rng` alone, with float inputs): the MLP-like families
and linear models on the tabular sets, the CNN with BatchNorm and Dropout
on the 12x12 images. Sorted, they are shuffled with the seed, and the
round is the first ROUND_SIZE whose names are not among the benchmark's
tasks of earlier rounds, at most MAX_PER_FAMILY_OR_DATA per family and
per data set. The script prints the round; writing its tasks up (loss,
number of outputs, a first guess at the best rate) is done by hand.
Nothing here trains or runs a range test, so the draw cannot lean on how
the rules do.
"""

from __future__ import annotations

import argparse
import collections
import inspect
import random

import numpy as np
import suggestion_quality as bench

FAMILIES = ("mlp", "mlp-tanh", "mlp-bn-dropout", "resnet-ln", "linear", "cnn-bn-dropout")
IMAGE_FAMILY = "cnn-bn-dropout"
IMAGE_SHAPE = (12, 12, 1)
OPTIMIZERS = (
    "sgd", "sgdm", "nesterov", "adam", "adamw", "rmsprop", "adagrad", "nadam", "lion", "adamax"
)
ROUND_SIZE = 8
MAX_PER_FAMILY_OR_DATA = 2


def input_shapes() -> dict[str, tuple[int, ...]]:
    """The input shape of each data set with float inputs, by the name of its function."""
    shapes = {}
    for name, make in inspect.getmembers(bench, inspect.isfunction):
        if make.__module__ != bench.__name__ or name.startswith("_"):
            continue
        if list(inspect.signature(make).parameters) != ["rng"]:
            continue
        x = make(np.random.default_rng(0))[0]
        if np.issubdtype(x.dtype, np.floating):
            shapes[name] = x.shape[1:]
    return shapes


def candidates() -> list[tuple[str, str, str]]:
    """(family, optimizer, data set) of every candidate, sorted by data set, then family."""
    found = []
    for data, shape in sorted(input_shapes().items()):
        for family in FAMILIES:
            if (family == IMAGE_FAMILY) == (shape == IMAGE_SHAPE) and (
                len(shape) == 1 or family == IMAGE_FAMILY
            ):
                found += [(family, optimizer, data) for optimizer in OPTIMIZERS]
    return found


def task_name(family: str, optimizer: str, data: str) -> str:
    return f"{family}-{optimizer}-{data.replace('_', '-')}"


def draw(seed: int, earlier: set[str]) -> list[str]:
    """The round's task names, in the order drawn."""
    shuffled = candidates()
    random.Random(seed).shuffle(shuffled)
    drawn, per_family, per_data = [], collections.Counter(), collections.Counter()
    for family, optimizer, data in shuffled:
        name = task_name(family, optimizer, data)
        if name in earlier or max(per_family[family], per_data[data]) >= MAX_PER_FAMILY_OR_DATA:
            continue
        drawn.append(name)
        per_family[family] += 1
        per_data[data] += 1
        if len(drawn) == ROUND_SIZE:
            break
    return drawn


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument(
        "--round", required=True, help="the round's split, e.g. 'held-out 23'; earlier tasks only"
    )
    args = parser.parse_args(argv)
    splits = list(dict.fromkeys(task.split for task in bench.TASKS))
    earlier_splits = splits[: splits.index(args.round)] if args.round in splits else splits
    earlier = {task.name for task in bench.TASKS if task.split in earlier_splits}
    print(f"{len(candidates())} candidates, shuffled with seed {args.seed}:")
    for name in draw(args.seed, earlier):
        print(name)


if __name__ == "__main__":
    main()
