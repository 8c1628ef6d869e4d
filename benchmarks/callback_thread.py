"""Which thread should the finder's batch-end calls run in? A paired A/B of step times.

    OMP_NUM_THREADS=1 TF_CPP_MIN_LOG_LEVEL=2 KERAS_BACKEND=torch .venv/bin/python benchmarks/callback_thread.py

Keras runs `on_train_batch_end` on a worker thread when every callback of
the `fit` is `async_safe` (on JAX and torch), and in the train loop's thread
otherwise. This times seven kinds of warm `fit` of `--steps` batches on the
model that benchmarks/speed.py calls `--model` (MLP or CNN), on the
backend that KERAS_BACKEND names:

- plain: no callbacks, so Keras's own run on the worker thread;
- plain, again: the same, on a model of its own: a control, whose ratio to
  plain shows how far two kinds that do the very same work read apart;
- sync: a no-op `on_train_batch_end` that is not `async_safe`, which moves
  them all to the train loop's thread;
- finder, worker thread: `LRFinder` told it is `async_safe`;
- finder, loop thread: `LRFinder` told it is not;
- naive: speed.py's naive finder (not `async_safe`);
- sweep only: the finder's swapped-in train function (its learning-rate
  table and per-batch loss, `SweepPatch`) with no batch hooks, so Keras
  dispatches as for plain `fit`: what the compiled step itself costs.

The rounds are speed.py's (b): each round runs one `fit` of each kind,
each round starting from the next kind in turn, so that none always runs
first; a step's time is the median interval between consecutive
`on_train_batch_begin` calls after the first 20. Printed: the median step
time of each kind over `--rounds` rounds, and the median over rounds of its
ratio to plain `fit` in the same round, with a bootstrap 95% interval of
that median.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
import speed  # noqa: E402

import keras_lrfinder  # noqa: E402
from keras_lrfinder.sweep_patch import SweepPatch  # noqa: E402


class FinderOnAWorkerThread(keras_lrfinder.LRFinder):
    async_safe = True


class FinderInTheLoopThread(keras_lrfinder.LRFinder):
    async_safe = False


class SweepOnly(keras.callbacks.Callback):
    """The finder's train function for the length of a `fit` of `steps` batches, and nothing else."""

    def __init__(self, steps: int):
        super().__init__()
        self._rates = keras_lrfinder.sweep_learning_rates(speed.START_LR, speed.END_LR, steps + 1)

    def on_train_begin(self, logs=None):
        self._patch = SweepPatch(self.model, self._rates)

    def on_train_end(self, logs=None):
        self._patch.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(speed.MODELS), default="MLP")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kinds = speed.steady_state_callbacks(args.steps, os.path.join(tmp, "naive.weights.h5"))
        callbacks = {
            "plain": kinds["plain"],
            "plain, again": kinds["plain"],
            "sync": kinds["sync"],
            "finder, worker thread": lambda: [speed.steady_state_finder(args.steps, FinderOnAWorkerThread)],
            "finder, loop thread": lambda: [speed.steady_state_finder(args.steps, FinderInTheLoopThread)],
            "naive": kinds["naive"],
            "sweep only": lambda: [SweepOnly(args.steps)],
        }
        steps = {kind: v["step"] for kind, v in speed.steady_state(args.model, args.rounds, args.steps, callbacks).items()}
    print(f"{keras.backend.backend()}, {args.model}, {args.rounds} rounds of {args.steps} steps\n")
    speed.print_ratio_table(steps, "plain", "fit | step (ms) | / plain fit, same round", digits=3)


if __name__ == "__main__":
    main()
