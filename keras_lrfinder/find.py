"""`find_lr`: a whole range test in one call."""

from __future__ import annotations

import functools
import os
import warnings
from typing import Any

import keras
import numpy as np

from keras_lrfinder.callback import LRFinder, Verbose
from keras_lrfinder.repeated import RepeatedLRFinderResult
from keras_lrfinder.result import LRFinderResult
from keras_lrfinder.state import capture_global_rngs, seed_global_rngs
from keras_lrfinder.sweep import DEFAULT_NUM_STEPS

_MISSING = object()


def find_lr(
    model: keras.Model,
    x: Any = None,
    y: Any = None,
    *,
    batch_size: int | None = None,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_steps: int = DEFAULT_NUM_STEPS,
    mode: str = "exponential",
    smoothing: float | None = None,
    divergence_threshold: float = 4.0,
    verbose: Verbose = "auto",
    apply: bool = False,
    repeats: int = 1,
    validation_data: tuple | None = None,
    snapshot_dir: str | os.PathLike[str] | None = None,
    **fit_kwargs: Any,
) -> LRFinderResult | RepeatedLRFinderResult:
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
            verbose, validation_data, snapshot_dir: As in `LRFinder`. (`validation_data`
            is the finder's, evaluated after every step, not `fit`'s.)
        apply: Whether to set the model's learning rate to the suggestion
            afterwards (`NoSuggestionError` if the curve allows none).
        repeats: How many range tests to run, each from the model's starting
            state on another order of the data (arrays are shuffled anew;
            a generator or iterator goes on with its next batches). With
            more than one, the result is a `RepeatedLRFinderResult`: every
            curve, their median and band, and the spread of the suggestion.
            The orders come from NumPy's global RNG, so
            `keras.utils.set_random_seed` makes them reproducible.
        **fit_kwargs: Passed on to `model.fit` (`sample_weight`,
            `steps_per_epoch`, `callbacks`, `shuffle`, ...). `epochs` is
            chosen by `find_lr`.

    Returns:
        The `LRFinderResult` of the run, or with `repeats` > 1 a
        `RepeatedLRFinderResult`.
    """
    make_finder = functools.partial(
        LRFinder,
        start_lr=start_lr,
        end_lr=end_lr,
        num_steps=num_steps,
        mode=mode,
        smoothing=smoothing,
        divergence_threshold=divergence_threshold,
        restore=True,
        verbose=verbose,
        validation_data=validation_data,
        snapshot_dir=snapshot_dir,
    )
    make_finder()  # validates the arguments before anything runs
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"`repeats` must be an integer >= 1. Received: repeats={repeats!r}")
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
    callbacks = fit_kwargs.pop("callbacks", None) or []
    _warn_about_conflicting(callbacks)
    fit_kwargs = {**fit_kwargs, "batch_size": batch_size, "epochs": num_steps, "verbose": 0}
    if repeats == 1:
        result = _run(model, x, y, fit_kwargs, make_finder(), callbacks)
    else:
        restore_rngs = capture_global_rngs()
        try:
            runs = []
            for seed in np.random.randint(2**31 - 1, size=repeats):
                seed_global_rngs(int(seed))
                runs.append(_run(model, *_in_an_order_of_its_own(x, y, fit_kwargs), make_finder(), callbacks))
        finally:
            restore_rngs()
        result = RepeatedLRFinderResult(tuple(runs))
    if apply:
        result.apply(model)
    return result


def _in_an_order_of_its_own(x: Any, y: Any, fit_kwargs: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    """NumPy arrays permuted for one repeat, when `fit` would shuffle them anyway.

    On TensorFlow `fit` shuffles arrays with TensorFlow's RNG, which under a
    global seed gives every repeat the same order, and whose seed cannot be
    changed and put back exactly. A permutation from NumPy's reseeded RNG
    gives each repeat its own order on every backend. Other data (datasets,
    generators) is passed on as it is.
    """
    weights = fit_kwargs.get("sample_weight")
    leaves = [leaf for part in (x, y, weights) if part is not None for leaf in keras.tree.flatten(part)]
    if (
        fit_kwargs.get("shuffle", True) is not True
        or not leaves
        or not all(isinstance(leaf, np.ndarray) for leaf in leaves)
        or len({len(leaf) for leaf in leaves}) != 1
    ):
        return x, y, fit_kwargs
    order = np.random.permutation(len(leaves[0]))

    def permuted(part: Any) -> Any:
        return None if part is None else keras.tree.map_structure(lambda leaf: leaf[order], part)

    reordered_kwargs = {**fit_kwargs, "sample_weight": permuted(weights)} if weights is not None else fit_kwargs
    return permuted(x), permuted(y), reordered_kwargs


def _run(
    model: keras.Model, x: Any, y: Any, fit_kwargs: dict[str, Any], finder: LRFinder, callbacks: list
) -> LRFinderResult:
    """One range test; the finder goes last, so that its restore comes last."""
    history = getattr(model, "history", _MISSING)
    try:
        # Every epoch has at least one step, so num_steps epochs always suffice.
        model.fit(x, y, callbacks=[*callbacks, finder], **fit_kwargs)
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
