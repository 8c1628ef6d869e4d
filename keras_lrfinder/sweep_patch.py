"""Puts the sweep into a compiled model for the length of a range test."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Callable

import keras
import numpy as np
from keras.src.utils.tracking import DotNotTrackScope

from keras_lrfinder.batch_loss import BatchLoss
from keras_lrfinder.optimizer_kinds import innermost_optimizer
from keras_lrfinder.sweep_learning_rate import SweepLearningRate


class SweepPatch:
    """Swaps in the sweep's learning rates and the per-batch loss tracker.

    Both swaps act inside the compiled train step, so the train function is
    rebuilt around a step function of the run's own; `remove()` puts back the
    very objects that were there, including the user's train function, so
    their next `fit` runs the trace it had, with no retrace and nothing stale.

    The run's objects and its train function stay on the model's optimizer
    (as `_CompiledSweep`), and a later run that would trace the very same step
    (the same sweep, from the same optimizer step count, around the same
    compiled model) reuses them instead of tracing again: each of
    `find_lr(..., repeats=k)`'s runs, or a range test run again after the
    restore.

    This relies on attributes Keras keeps private: `Trainer._loss_tracker`,
    `BaseOptimizer._learning_rate` and `BaseOptimizer._iterations` (the raw
    step count that schedules see). The public setter of the learning rate
    refuses to replace a schedule with a number and untracks the
    learning-rate variable, which would change `optimizer.variables`. The
    test suite pins all of them down on every backend.
    """

    def __init__(self, model: keras.Model, learning_rates: np.ndarray):
        self._model = model
        self._optimizer = innermost_optimizer(model.optimizer)
        self._learning_rate = self._optimizer._learning_rate
        self._loss_tracker = model._loss_tracker
        self._train_function = model.train_function
        self._own_train_step = model.__dict__.get("train_step")
        around = (model.optimizer, self._learning_rate, self._loss_tracker, self._train_function, self._own_train_step)
        sweep = SweepLearningRate(learning_rates, self._optimizer)
        # Kept on the optimizer, not the model: a model compiled anew drops
        # its old optimizer, and with it this trace and what it holds on to.
        compiled = model.optimizer.__dict__.get(_COMPILED_SWEEP)
        if compiled is None or not compiled.serves(around, sweep):
            compiled = self._compile(around, sweep)
            object.__setattr__(model.optimizer, _COMPILED_SWEEP, compiled)
        self.learning_rate = compiled.learning_rate
        self._install(compiled.learning_rate, compiled.loss_tracker, compiled.train_step)
        model.train_function = compiled.train_function

    def _compile(self, around: tuple, sweep: SweepLearningRate) -> _CompiledSweep:
        model = self._model
        # JAX caches traces by the function it traces, across jit objects, and
        # the bound methods `model.train_step` of one model all compare equal:
        # without a step function of its own, a run would reuse an earlier
        # run's trace, with that run's rates baked into it.
        train_step = functools.partial(model.train_step)
        # Made in a tf.distribute strategy's scope, as compile made the
        # original, so that under one it holds one loss per replica.
        with _distribution_scope(model):
            loss_tracker = BatchLoss(name="loss")
        self._install(sweep, loss_tracker, train_step)
        model.make_train_function(force=True)
        return _CompiledSweep(around, sweep, loss_tracker, train_step, model.train_function)

    def _install(self, learning_rate: SweepLearningRate, loss_tracker: BatchLoss, train_step) -> None:
        # Untracked, as Keras's compile sets the tracker: a tracked metric
        # would join `model.metrics` for good.
        with DotNotTrackScope():
            self._optimizer._learning_rate = learning_rate
            self._model._loss_tracker = loss_tracker
        object.__setattr__(self._model, "train_step", train_step)

    def remove(self) -> None:
        with DotNotTrackScope():
            self._optimizer._learning_rate = self._learning_rate
            self._model._loss_tracker = self._loss_tracker
        if self._own_train_step is None:
            object.__delattr__(self._model, "train_step")
        else:
            object.__setattr__(self._model, "train_step", self._own_train_step)
        self._model.train_function = self._train_function


_COMPILED_SWEEP = "_keras_lrfinder_compiled_sweep"


@dataclasses.dataclass(frozen=True)
class _CompiledSweep:
    """A run's swapped-in objects and the train function traced around them."""

    around: tuple  # the model's own optimizer, learning rate, loss tracker, train function and step
    learning_rate: SweepLearningRate
    loss_tracker: BatchLoss
    train_step: Callable
    train_function: Callable

    def serves(self, around: tuple, sweep: SweepLearningRate) -> bool:
        """Whether tracing `sweep` into the model as it is now would give this trace."""
        # Identity, not equality: a recompiled model has new objects, and the
        # trace holds on to the old ones.
        return (
            all(new is old for new, old in zip(around, self.around, strict=True))
            and sweep.first_iteration == self.learning_rate.first_iteration
            and sweep.batches_per_update == self.learning_rate.batches_per_update
            and np.array_equal(sweep.learning_rates, self.learning_rate.learning_rates)
        )


def _distribution_scope(model: keras.Model) -> contextlib.AbstractContextManager:
    strategy = getattr(model, "distribute_strategy", None)  # TensorFlow only
    return strategy.scope() if strategy is not None else contextlib.nullcontext()
