"""What the finder's compiled train step costs by itself: paired calls of the train function.

    OMP_NUM_THREADS=1 TF_CPP_MIN_LOG_LEVEL=2 KERAS_BACKEND=jax .venv/bin/python benchmarks/step_cost.py --model CNN

benchmarks/speed.py's (b) rows time whole `fit`s, and two `fit`s that do
the very same work differ by several percent on a small VM, from one to
the next: more than the 2% that the finder's step may cost. This times
single steps instead, interleaved. Two identical models of speed.py's
`--model` train on the same batch, one step each in turn (the order flips
every pair), each step a call of `model.train_function` as `fit` makes it,
up to the step's loss on the host: one model as compiled by Keras, one with
the finder's train function swapped in for good (`SweepPatch`: its
learning-rate table and per-batch loss tracker). Neighbouring calls share
the machine's state, so the ratio of a pair's two times cancels most of
what moves `fit` from run to run. What `fit` does around a step (the data
pipeline, the callbacks) is left out: it is the same for both.

Printed: the median time of a call of each, and the median over pairs of
the ratio, with a bootstrap 95% interval of that median. The `control`
row pairs two models that Keras compiled, so it shows what the method
itself reads where there is no difference (it should read 1.000).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
import speed  # noqa: E402

import keras_lrfinder  # noqa: E402
from keras_lrfinder.sweep_patch import SweepPatch  # noqa: E402

WARMUP_PAIRS = 50


def train_step(model: keras.Model, batch: tuple) -> Callable[[], None]:
    """A step of `model` on `batch`: a call of its train function, as `fit` makes it."""
    model.make_train_function()
    backend = keras.backend.backend()
    batch = tuple(keras.ops.convert_to_tensor(part) for part in batch)
    if backend == "jax":
        # fit keeps the state out of the variables between steps, and so does this.
        state = model._get_jax_state(
            trainable_variables=True,
            non_trainable_variables=True,
            optimizer_variables=True,
            metrics_variables=True,
        )

        def run() -> dict:
            nonlocal state
            logs, state = model.train_function(state, iter([batch]))
            return logs

    else:
        # TensorFlow's train function also takes a Python iterator; torch's, a list of batches.
        def run() -> dict:
            return model.train_function(iter([batch]) if backend == "tensorflow" else [batch])

    def step() -> None:
        # Waits for the step's loss, as the finder's callback does.
        float(keras.ops.convert_to_numpy(run()["loss"]))

    return step


def paired_times(
    steps: tuple[Callable[[], None], Callable[[], None]], pairs: int
) -> tuple[list[float], list[float]]:
    """Seconds of each call of the two steps, `pairs` calls each, taken in turn."""
    seconds: tuple[list[float], list[float]] = ([], [])
    for pair in range(WARMUP_PAIRS + pairs):
        for which in (0, 1) if pair % 2 else (1, 0):
            start = time.perf_counter()
            steps[which]()
            if pair >= WARMUP_PAIRS:
                seconds[which].append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(speed.MODELS), default="CNN")
    parser.add_argument("--pairs", type=int, default=3000)
    args = parser.parse_args()
    x, y = speed.make_data(args.model, 1)
    batch = (x[: speed.BATCH_SIZE], y[: speed.BATCH_SIZE])
    models = [speed.fresh(args.model) for _ in range(3)]  # Keras's, the control, the finder's
    for model in models:
        model.optimizer.build(model.trainable_variables)  # as fit builds it before the first step
    # Rates too small to move the weights much: the sweep's table lookup
    # runs every step all the same, and its index stops at the last rate.
    SweepPatch(models[2], keras_lrfinder.sweep_learning_rates(speed.START_LR, speed.END_LR, 300))
    keras_step, control_step, finder_step = (train_step(model, batch) for model in models)
    print(f"{keras.backend.backend()}, {args.model}, {args.pairs} pairs of steps\n")
    print(
        "| pair | step (ms): Keras's | step (ms): the other "
        "| the other / Keras's (median [bootstrap 95% interval]) |"
    )
    print("|---|---|---|---|")
    pairs = (("control: Keras's step twice", control_step), ("the finder's step", finder_step))
    for name, other in pairs:
        ours, theirs = paired_times((keras_step, other), args.pairs)
        ratios = speed.ratios(theirs, ours)
        low, high = speed.median_interval(ratios)
        print(
            f"| {name} | {1e3 * statistics.median(ours):.3f} "
            f"| {1e3 * statistics.median(theirs):.3f} "
            f"| {statistics.median(ratios):.4f} [{low:.4f}-{high:.4f}] |"
        )


if __name__ == "__main__":
    main()
