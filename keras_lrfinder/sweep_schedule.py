"""The sweep as a Keras learning-rate schedule, evaluated inside the train step."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops


class SweepSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """Looks up the learning rate of each step of a sweep in a table.

    The optimizer evaluates a schedule inside its compiled update, with its own
    iteration count as the step, so the rate changes every step with no
    Python work per batch and no sync of JAX's state. A table lookup, rather
    than recomputing the formula in the graph, makes the applied rate exactly
    the recorded one.

    Args:
        learning_rates: The rate of each step of the sweep.
        first_iteration: The optimizer's iteration count at step 0.
    """

    def __init__(self, learning_rates: np.ndarray, first_iteration: int):
        self.learning_rates = np.asarray(learning_rates, dtype=np.float32)
        self.first_iteration = int(first_iteration)

    def __call__(self, step):
        index = ops.cast(step, "int32") - self.first_iteration
        index = ops.clip(index, 0, len(self.learning_rates) - 1)
        return ops.take(ops.convert_to_tensor(self.learning_rates), index)

    def get_config(self):
        return {
            "learning_rates": self.learning_rates.tolist(),
            "first_iteration": self.first_iteration,
        }
