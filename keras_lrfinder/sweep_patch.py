"""Puts the sweep into a compiled model for the length of a range test."""

from __future__ import annotations

import contextlib
import functools

import keras
import numpy as np
from keras.src.utils.tracking import DotNotTrackScope

from keras_lrfinder.batch_loss import BatchLoss
from keras_lrfinder.sweep_learning_rate import SweepLearningRate


class SweepPatch:
    """Swaps in the sweep's learning rates and the per-batch loss tracker.

    Both swaps act inside the compiled train step, so the train function is
    rebuilt around a step function of the run's own; `remove()` puts back the
    very objects that were there, including the user's train function, so
    their next `fit` runs the trace it had, with no retrace and nothing stale.

    This relies on attributes Keras keeps private: `Trainer._loss_tracker`,
    `BaseOptimizer._learning_rate` and `BaseOptimizer._iterations` (the raw
    step count that schedules see). The public setter of the learning rate
    refuses to replace a schedule with a number and untracks the
    learning-rate variable, which would change `optimizer.variables`. The
    test suite pins all of them down on every backend.
    """

    def __init__(self, model: keras.Model, learning_rates: np.ndarray):
        self._model = model
        self._optimizer = _innermost(model.optimizer)
        self._learning_rate = self._optimizer._learning_rate
        self._loss_tracker = model._loss_tracker
        self._train_function = model.train_function
        self._own_train_step = model.__dict__.get("train_step")
        # JAX caches traces by the function it traces, across jit objects, and
        # the bound methods `model.train_step` of one model all compare equal:
        # without a step function of its own, a second run would reuse the
        # first run's trace, with the first run's rates baked into it.
        object.__setattr__(model, "train_step", functools.partial(model.train_step))
        self.learning_rate = SweepLearningRate(learning_rates, self._optimizer)
        # Untracked, as Keras's compile sets the tracker: a tracked metric
        # would join `model.metrics` for good. Under a tf.distribute strategy
        # its variable must be made in the strategy's scope, as compile made
        # the original's, to hold one loss per replica.
        with DotNotTrackScope(), _distribution_scope(model):
            self._optimizer._learning_rate = self.learning_rate
            model._loss_tracker = BatchLoss(name="loss")
        model.make_train_function(force=True)

    def remove(self) -> None:
        with DotNotTrackScope():
            self._optimizer._learning_rate = self._learning_rate
            self._model._loss_tracker = self._loss_tracker
        if self._own_train_step is None:
            object.__delattr__(self._model, "train_step")
        else:
            object.__setattr__(self._model, "train_step", self._own_train_step)
        self._model.train_function = self._train_function


def _distribution_scope(model: keras.Model) -> contextlib.AbstractContextManager:
    strategy = getattr(model, "distribute_strategy", None)  # TensorFlow only
    return strategy.scope() if strategy is not None else contextlib.nullcontext()


def _innermost(optimizer: keras.optimizers.Optimizer) -> keras.optimizers.Optimizer:
    # A LossScaleOptimizer (mixed precision) delegates its learning rate.
    while hasattr(optimizer, "inner_optimizer"):
        optimizer = optimizer.inner_optimizer
    return optimizer
