"""A copy of all the state a range test changes, and putting it back exactly."""

from __future__ import annotations

import os
import random
import sys
import tempfile
from collections.abc import Callable, Iterator
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
    so it holds no second copy on an accelerator. Captured with a
    `directory`, it goes to files there instead, one variable at a time, so
    host memory holds at most one variable's copy at once.

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

    def __init__(self, holders: list[Any], values: list[np.ndarray] | _FileCopies, restore_rngs: Restorer):
        self._holders = holders
        self._values = values
        self._restore_rngs = restore_rngs

    @classmethod
    def capture(cls, model: keras.Model, directory: str | os.PathLike[str] | None = None) -> TrainingState:
        optimizer = model.optimizer
        if not optimizer.built:
            optimizer.build(model.trainable_variables)
        variables = _unique([*model.variables, *model.metrics_variables, *optimizer.variables])
        holders = []
        values = [] if directory is None else _FileCopies(directory)
        for variable in variables:
            holders += _copy(variable, values)
        return cls(holders, values, capture_global_rngs())

    def restore(self) -> None:
        for holder, value in zip(self._holders, self._values):
            holder.assign(value)
        self._restore_rngs()


class _FileCopies:
    """Arrays kept in files of a temporary directory of their own, read back one at a time.

    Raw bytes, with the dtype and shape kept here, so that every dtype
    (bfloat16 included) comes back bit for bit. The directory is deleted
    when this object is garbage collected, or at the latest when Python
    exits.
    """

    def __init__(self, directory: str | os.PathLike[str]):
        self._directory = tempfile.TemporaryDirectory(prefix="keras_lrfinder_", dir=directory)
        self._files: list[tuple[str, np.dtype, tuple[int, ...]]] = []

    def append(self, value: np.ndarray) -> None:
        path = os.path.join(self._directory.name, f"{len(self._files)}.bin")
        np.ascontiguousarray(value).tofile(path)
        self._files.append((path, value.dtype, value.shape))

    def __iter__(self) -> Iterator[np.ndarray]:
        for path, dtype, shape in self._files:
            yield np.fromfile(path, dtype=dtype).reshape(shape)


def _copy(variable: Any, values: list[np.ndarray] | _FileCopies) -> list[Any]:
    """Appends to `values` copies that together restore `variable`; returns what each goes back into.

    Under a `tf.distribute` strategy TF keeps a metric's variable as one value
    per replica, which reads as their sum and cannot be converted as one
    array; each replica's value is copied and put back on its own, exactly.
    No copy outlives the call but in `values`, so that copies written to
    files leave host memory one by one.
    """
    value = variable.value
    if _is_kept_per_replica(value):
        for replica_value in value.values:
            values.append(replica_value.numpy().copy())
        return list(value.values)
    if _is_spread_across_processes(value):
        local_shards = _LocalShards(variable)
        values.append(local_shards.copy())
        return [local_shards]
    # convert_to_numpy returns a new array on every backend (np.array of the
    # value), so it is the copy; the restore tests catch a Keras that would
    # hand out a view of the live variable instead.
    values.append(ops.convert_to_numpy(value))
    return [variable]


def _is_kept_per_replica(value: Any) -> bool:
    tf = sys.modules.get("tensorflow")
    return (
        tf is not None
        and isinstance(value, tf.distribute.DistributedValues)
        and value.synchronization == tf.VariableSynchronization.ON_READ
    )


def _is_spread_across_processes(value: Any) -> bool:
    # A JAX array sharded over the devices of several hosts: no process can
    # read it whole (a replicated one each process can).
    return not getattr(value, "is_fully_addressable", True) and not value.is_fully_replicated


class _LocalShards:
    """The shards of a JAX variable that this process holds, in a multi-host run.

    Each process copies and puts back its own shards, so together they
    restore the whole variable, with its sharding.
    """

    def __init__(self, variable: Any):
        self._variable = variable
        self._shape = variable.value.shape
        self._sharding = variable.value.sharding
        self._devices = [shard.device for shard in variable.value.addressable_shards]

    def copy(self) -> np.ndarray:
        return np.stack([np.asarray(shard.data) for shard in self._variable.value.addressable_shards])

    def assign(self, shards: np.ndarray) -> None:
        import jax

        on_devices = [jax.device_put(shard, device) for shard, device in zip(shards, self._devices)]
        self._variable.assign(jax.make_array_from_single_device_arrays(self._shape, self._sharding, on_devices))


def _unique(variables: list[Any]) -> list[Any]:
    seen: set[int] = set()
    return [v for v in variables if not (id(v) in seen or seen.add(id(v)))]


def capture_global_rngs() -> Restorer:
    """Returns a function that puts the global RNGs back where they are now."""
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

    def restore() -> None:
        for restore_rng in restorers:
            restore_rng()

    return restore


def seed_global_rngs(seed: int) -> None:
    """Seeds the global RNGs that decide the order `fit` shuffles arrays in on JAX and torch.

    TensorFlow's `fit` shuffles with TensorFlow ops, each new one seeded anew,
    so its order differs from run to run without this.
    """
    random.seed(seed)
    np.random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)


def _capture_torch_rngs(torch: Any) -> list[Restorer]:
    restorers = [_restorer(torch.set_rng_state, torch.get_rng_state())]
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        restorers.append(_restorer(torch.cuda.set_rng_state_all, torch.cuda.get_rng_state_all()))
    return restorers


def _restorer(setter: Callable[[Any], Any], state: Any) -> Restorer:
    return lambda: setter(state)
