"""A copy of all the state a range test changes, and putting it back exactly."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
from keras import ops
from keras.src.backend.common import global_state
from keras.src.random.seed_generator import GLOBAL_SEED_GENERATOR

Restorer = Callable[[], None]


class TrainingState:
    """The values of a model's and its optimizer's variables, and the global RNGs.

    The copy lives in host memory as numpy arrays, one copy of each variable,
    so it holds no second copy on an accelerator.

    Captured covers:
    - `model.variables`: weights, BatchNorm statistics and the seed-generator
      state of layers such as Dropout (`get_weights()` misses the latter);
    - `model.metrics_variables`;
    - `optimizer.variables`: iterations, the learning-rate variable and slots.
      The optimizer is built first, because TensorFlow builds it lazily in the
      first train step, after callbacks have started;
    - the global random generators of Python, NumPy, Keras and, where it is
      loaded, torch. (TensorFlow's need nothing: a run draws nothing from them.)

    Example:

    ```python
    state = TrainingState.capture(model)
    model.fit(x, y)
    state.restore()  # as if the fit never ran
    ```
    """

    def __init__(self, variables: list[Any], values: list[np.ndarray], rng_restorers: list[Restorer]):
        self._variables = variables
        self._values = values
        self._rng_restorers = rng_restorers

    @classmethod
    def capture(cls, model: keras.Model) -> TrainingState:
        optimizer = model.optimizer
        if not optimizer.built:
            optimizer.build(model.trainable_variables)
        variables = _unique([*model.variables, *model.metrics_variables, *optimizer.variables])
        # convert_to_numpy returns a new array on every backend (np.array of
        # the value), so it is the copy; the restore tests catch a Keras that
        # would hand out a view of the live variable instead.
        values = [ops.convert_to_numpy(v.value) for v in variables]
        return cls(variables, values, _capture_global_rngs())

    @property
    def nbytes(self) -> int:
        """The host memory the copy takes."""
        return sum(value.nbytes for value in self._values)

    def restore(self) -> None:
        for variable, value in zip(self._variables, self._values):
            variable.assign(value)
        for restore_rng in self._rng_restorers:
            restore_rng()


def _unique(variables: list[Any]) -> list[Any]:
    seen: set[int] = set()
    return [v for v in variables if not (id(v) in seen or seen.add(id(v)))]


def _capture_global_rngs() -> list[Restorer]:
    restorers = [
        _restorer(random.setstate, random.getstate()),
        _restorer(np.random.set_state, np.random.get_state()),
    ]
    keras_generator = global_state.get_global_attribute(GLOBAL_SEED_GENERATOR)
    if keras_generator is not None:
        state = keras_generator.state
        restorers.append(_restorer(state.assign, ops.convert_to_numpy(state.value)))
    if "torch" in sys.modules:
        restorers += _capture_torch_rngs(sys.modules["torch"])
    return restorers


def _capture_torch_rngs(torch: Any) -> list[Restorer]:
    restorers = [_restorer(torch.set_rng_state, torch.get_rng_state())]
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        restorers.append(_restorer(torch.cuda.set_rng_state_all, torch.cuda.get_rng_state_all()))
    return restorers


def _restorer(setter: Callable[[Any], Any], state: Any) -> Restorer:
    return lambda: setter(state)
