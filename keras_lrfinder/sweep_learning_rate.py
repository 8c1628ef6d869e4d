"""The sweep as the optimizer's learning rate, evaluated inside the train step."""

from __future__ import annotations

import warnings

import numpy as np
from keras import ops


class SweepLearningRate:
    """Looks up the learning rate of each step of a sweep in a table.

    Put in the optimizer's place for its learning rate, it is evaluated inside
    the compiled update, indexed by the optimizer's own iteration count, so
    the rate changes every step with no Python work per batch and no sync of
    JAX's state. A table lookup, rather than the formula recomputed in the
    graph, makes the applied rate exactly the recorded one.

    Other callbacks that set the learning rate during the run
    (`LearningRateScheduler`, `ReduceLROnPlateau`) reach `assign`, which
    ignores them with a warning instead of letting them bend the sweep.

    With gradient accumulation the optimizer counts every batch but updates
    the weights once every `gradient_accumulation_steps` of them, so a step of
    the sweep is an update, and the table is indexed by updates.

    Args:
        learning_rates: The rate of each step of the sweep.
        optimizer: The optimizer whose iteration count gives the step.
    """

    def __init__(self, learning_rates: np.ndarray, optimizer):
        self.learning_rates = np.asarray(learning_rates, dtype=np.float32)
        self.batches_per_update = optimizer.gradient_accumulation_steps or 1
        self._iterations = optimizer._iterations
        self.first_iteration = int(ops.convert_to_numpy(self._iterations))
        # Made once, here, outside any trace: torch runs this lookup eagerly
        # every step, where converting the table each time cost more than the
        # rest of the lookup.
        self._table = ops.convert_to_tensor(self.learning_rates)

    def __call__(self):
        updates = (self._iterations.value - self.first_iteration) // self.batches_per_update
        # Steps past the last one run while the finder's stop is on its way
        # to `fit`, from a worker thread; they keep the last rate.
        return self._table[ops.minimum(updates, len(self.learning_rates) - 1)]

    def batches_applied(self) -> int:
        """How many batches of the run the optimizer has taken in so far.

        Mixed precision's `LossScaleOptimizer` skips the update of a batch
        whose gradients overflow, and neither its count nor the sweep moves.
        """
        return int(ops.convert_to_numpy(self._iterations)) - self.first_iteration

    def completes_update(self, batches_applied: int) -> bool:
        """Whether the optimizer updates the weights at this many batches into the run."""
        return (self.first_iteration + batches_applied) % self.batches_per_update == 0

    def get_config(self) -> dict:
        # Lets a model be saved mid-run (ModelCheckpoint); its weights are the
        # sweep's anyway.
        return {"learning_rates": self.learning_rates.tolist()}

    def assign(self, value) -> None:
        warnings.warn(
            f"Something set the learning rate to {float(value):.3g} during a "
            "learning-rate range test, which sets the rate of every step itself; "
            "it was ignored. Leave learning-rate callbacks such as "
            "LearningRateScheduler and ReduceLROnPlateau out of the range test.",
            stacklevel=2,
        )
