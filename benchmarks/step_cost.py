"""What the finder's compiled train step costs by itself: interleaved calls of train functions.

    OMP_NUM_THREADS=1 TF_CPP_MIN_LOG_LEVEL=2 KERAS_BACKEND=jax .venv/bin/python benchmarks/step_cost.py

benchmarks/speed.py's (b) rows time whole `fit`s, and two `fit`s that do
the very same work differ by several percent on a small VM, from one to
the next: more than the 2% that the finder's step may cost. This times
single steps instead, interleaved. A step is a call of `model.train_function`
as `fit` makes it, on the same batch, up to the step's loss on the host:
either the train function Keras compiled, or the finder's (`SweepPatch`:
its learning-rate table and per-batch loss tracker). Each round makes one
call of each of four steps, in rotating order: Keras's and the finder's on
one model, and both again on a second, identical model of speed.py's
`--model` (CNN by default). Calls of one round share the machine's state,
so the ratio of two times of a round cancels most of what moves `fit`
from run to run. What `fit` does around a step (the data pipeline, the
callbacks) is left out: it is the same with and without the finder, and
speed.py's CPU-time row measures the finder's callbacks.

Printed: the median time of each step, and the median over rounds of its
ratio to Keras's step on the first model, with a bootstrap 95% interval of
that median. Keras's step on the second model is the control: it shows how
far two steps doing the very same work read apart (ideally 1.000).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
import speed  # noqa: E402

import keras_lrfinder  # noqa: E402
from keras_lrfinder.sweep_patch import SweepPatch  # noqa: E402

if keras.backend.backend() == "jax":
    import jax

WARMUP_ROUNDS = 300


def train_call(model: keras.Model, batch: tuple) -> Callable[[], None]:
    """A step of `model` on `batch`: a call of its train function as it is now, as `fit` makes it."""
    backend = keras.backend.backend()
    function = model.train_function
    if backend == "jax":
        # fit keeps the state out of the variables between steps, and so does
        # this, in copies: the train function donates them.
        state = jax.tree_util.tree_map(
            lambda value: jax.numpy.array(value, copy=True),
            model._get_jax_state(
                trainable_variables=True,
                non_trainable_variables=True,
                optimizer_variables=True,
                metrics_variables=True,
            ),
        )

        def run() -> dict:
            nonlocal state
            logs, state = function(state, iter([batch]))
            return logs

    else:
        # TensorFlow's train function also takes a Python iterator; torch's, a list of batches.
        def run() -> dict:
            return function(iter([batch]) if backend == "tensorflow" else [batch])

    def call() -> None:
        # Waits for the step's loss, as the finder's callback does.
        float(keras.ops.convert_to_numpy(run()["loss"]))

    return call


def keras_step(model: keras.Model, batch: tuple) -> Callable[[], float]:
    """Times a step of the train function that Keras compiled."""
    model.make_train_function()
    call = train_call(model, batch)
    return lambda: speed.timed(call)


def finder_step(model: keras.Model, batch: tuple) -> Callable[[], float]:
    """Times a step of the finder's train function on the same model."""
    # Rates too small to move the weights much: the table lookup runs every
    # step all the same, and its index stops at the last rate.
    rates = keras_lrfinder.sweep_learning_rates(speed.START_LR, speed.END_LR, 300)
    if keras.backend.backend() == "torch":
        # torch runs the step's Python every call, so the sweep must be in place for each.
        def step() -> float:
            patch = SweepPatch(model, rates)
            try:
                return speed.timed(train_call(model, batch))
            finally:
                patch.remove()

        return step
    # TensorFlow and JAX trace it once, with the sweep in place, and the trace keeps it.
    patch = SweepPatch(model, rates)
    call = train_call(model, batch)
    call()
    patch.remove()
    return lambda: speed.timed(call)


def interleaved_times(steps: list[Callable[[], float]], rounds: int) -> list[list[float]]:
    """Seconds of each call of each step: `rounds` rounds of one call each, in rotating order."""
    seconds: list[list[float]] = [[] for _ in steps]
    for round_ in range(WARMUP_ROUNDS + rounds):
        for which in speed.rotated(list(range(len(steps))), round_):
            elapsed = steps[which]()
            if round_ >= WARMUP_ROUNDS:
                seconds[which].append(elapsed)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(speed.MODELS), default="CNN")
    parser.add_argument("--rounds", type=int, default=3000)
    args = parser.parse_args()
    x, y = speed.make_data(args.model, 1)
    batch = tuple(keras.ops.convert_to_tensor(part) for part in (x, y))
    model, other_model = speed.fresh(args.model), speed.fresh(args.model)
    for each in (model, other_model):
        each.optimizer.build(each.trainable_variables)  # as fit builds it before the first step
    steps = {
        "Keras's": keras_step(model, batch),
        "the finder's, same model": finder_step(model, batch),
        "control: Keras's, another model": keras_step(other_model, batch),
        "the finder's, another model": finder_step(other_model, batch),
    }
    seconds = dict(zip(steps, interleaved_times(list(steps.values()), args.rounds), strict=True))
    print(f"{keras.backend.backend()}, {args.model}, {args.rounds} rounds of steps\n")
    speed.print_ratio_table(seconds, "Keras's", "step | time (ms) | / Keras's step, same round", digits=4)


if __name__ == "__main__":
    main()
