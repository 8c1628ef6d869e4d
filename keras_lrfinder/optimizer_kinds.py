"""The optimizer that does the work behind a model's, and its kind, for the rules that read it."""

from __future__ import annotations

import keras

from keras_lrfinder.suggest import OptimizerKind


def optimizer_kind(optimizer: keras.optimizers.Optimizer) -> OptimizerKind:
    """`"sgd"` for `keras.optimizers.SGD` (momentum or not), `"adaptive"` for any other.

    SGD's step is the gradient times the rate; every other Keras optimizer
    (Adam, AdamW, RMSprop, Adagrad, Nadam, Lion, ...) scales each coordinate's
    step by the gradients' own size. Mixed precision's `LossScaleOptimizer`
    is read through to the optimizer it wraps.

    Example:

    ```python
    keras_lrfinder.optimizer_kind(keras.optimizers.SGD(momentum=0.9))  # "sgd"
    keras_lrfinder.optimizer_kind(keras.optimizers.AdamW())  # "adaptive"
    ```
    """
    return "sgd" if isinstance(innermost_optimizer(optimizer), keras.optimizers.SGD) else "adaptive"


def innermost_optimizer(optimizer: keras.optimizers.Optimizer) -> keras.optimizers.Optimizer:
    """The optimizer inside any wrappers: a `LossScaleOptimizer` (mixed precision)
    delegates its learning rate and its updates to the one it wraps."""
    while hasattr(optimizer, "inner_optimizer"):
        optimizer = optimizer.inner_optimizer
    return optimizer
