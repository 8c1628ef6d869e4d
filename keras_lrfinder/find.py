"""`find_lr`: a whole range test in one call."""

from __future__ import annotations

import warnings
from typing import Any

import keras

from keras_lrfinder.callback import LRFinder, Verbose
from keras_lrfinder.result import LRFinderResult

_MISSING = object()


def find_lr(
    model: keras.Model,
    x: Any = None,
    y: Any = None,
    *,
    batch_size: int | None = None,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_steps: int = 100,
    mode: str = "exponential",
    smoothing: float = 0.98,
    divergence_threshold: float = 4.0,
    verbose: Verbose = "auto",
    apply: bool = False,
    **fit_kwargs: Any,
) -> LRFinderResult:
    """Runs a learning-rate range test on a compiled model and puts it back.

    The model trains for `num_steps` batches (over as many epochs as that
    takes) while the learning rate rises from `start_lr` to `end_lr`, or until
    the loss blows up. Its variables, its optimizer (slots, iterations and
    learning rate or schedule), the global RNGs and `model.history` are then
    exactly as they were, also when `fit` raises or is interrupted, in which
    case the exception propagates.

    Example:

    ```python
    result = keras_lrfinder.find_lr(model, x_train, y_train, batch_size=64)
    result.plot()
    model.optimizer.learning_rate = result.suggestion()
    ```

    Args:
        model: A compiled Keras model.
        x, y: Training data, as `model.fit` takes it: arrays, a dict of arrays,
            a `tf.data.Dataset`, a `keras.utils.PyDataset`, a torch
            `DataLoader` or a generator. An iterator that cannot be rewound
            is consumed by the run.
        batch_size: As in `model.fit`. The curve depends on it: use the batch
            size you will train with.
        start_lr, end_lr, num_steps, mode, smoothing, divergence_threshold,
            verbose: As in `LRFinder`.
        apply: Whether to set the model's learning rate to the suggestion
            afterwards (`NoSuggestionError` if the curve allows none).
        **fit_kwargs: Passed on to `model.fit` (`sample_weight`,
            `steps_per_epoch`, `callbacks`, `shuffle`, ...). `epochs` is
            chosen by `find_lr`.

    Returns:
        The `LRFinderResult` of the run.
    """
    finder = LRFinder(
        start_lr=start_lr,
        end_lr=end_lr,
        num_steps=num_steps,
        mode=mode,
        smoothing=smoothing,
        divergence_threshold=divergence_threshold,
        restore=True,
        verbose=verbose,
    )
    if getattr(model, "optimizer", None) is None:
        raise ValueError(
            "`model` must be compiled (with an optimizer and a loss) before `find_lr`. "
            f"Received: model={model!r} with optimizer=None"
        )
    if "epochs" in fit_kwargs:
        raise ValueError(
            "`find_lr` runs as many epochs as `num_steps` needs; set `num_steps` "
            f"instead. Received: epochs={fit_kwargs['epochs']!r}"
        )
    if _is_empty_array(x):
        raise _no_batches(x)
    callbacks = [*(fit_kwargs.pop("callbacks", None) or []), finder]
    _warn_about_conflicting(callbacks)
    history = getattr(model, "history", _MISSING)
    try:
        # Every epoch has at least one step, so num_steps epochs always suffice.
        model.fit(x, y, batch_size=batch_size, epochs=num_steps, verbose=0, callbacks=callbacks, **fit_kwargs)
    except StopIteration as error:
        # JAX's and torch's fit read a first batch to build the model.
        raise _no_batches(x) from error
    finally:
        finder.restore()
        if history is not _MISSING:
            model.history = history
        elif hasattr(model, "history"):
            del model.history
    if len(finder.result.losses) == 0:
        raise _no_batches(x)
    if apply:
        finder.result.apply(model)
    return finder.result


_CONFLICTS = {
    keras.callbacks.ModelCheckpoint: "would save the sweep's weights, which are thrown away",
    keras.callbacks.EarlyStopping: "would judge the sweep's losses as if they were training",
    keras.callbacks.LearningRateScheduler: "would set the learning rate that the sweep sets",
    keras.callbacks.ReduceLROnPlateau: "would set the learning rate that the sweep sets",
}


def _warn_about_conflicting(callbacks: list[keras.callbacks.Callback]) -> None:
    for callback in callbacks:
        for kind, conflict in _CONFLICTS.items():
            if isinstance(callback, kind):
                warnings.warn(
                    f"{type(callback).__name__} {conflict}. Leave it out of find_lr "
                    "and add it to the fit that trains your model.",
                    stacklevel=3,
                )


def _no_batches(x: Any) -> ValueError:
    return ValueError(f"The training data gave no batches, so there is nothing to sweep. Received: x={_describe(x)}")


def _is_empty_array(x: Any) -> bool:
    leaves = keras.tree.flatten(x) if x is not None else []
    shape = getattr(leaves[0], "shape", None) if leaves else None
    return bool(shape) and shape[0] == 0


def _describe(x: Any) -> str:
    shape = getattr(x, "shape", None)
    return f"{type(x).__name__} of shape {tuple(shape)}" if shape is not None else repr(x)
