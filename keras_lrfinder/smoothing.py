"""Bias-corrected exponential moving average of the loss, as fastai computes it."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

# The smoothing the suggestion rules were designed with, on 300-step sweeps;
# also a curve's where its sweep is unknown (one made by hand), as fastai's.
DEFAULT_SMOOTHING = 0.98
_DESIGN_NUM_STEPS = 300


def smoothing_for(num_steps: int) -> float:
    """The smoothing for a sweep of `num_steps`: 0.98 over 300 steps, as heavy per share of the sweep.

    The moving average weighs a loss k steps back by smoothing**k, so with
    0.98**(300 / num_steps) a loss a given share of the sweep back (a given
    span of learning rates) weighs the same whatever the number of steps,
    and the rules read the curve as they did on the 300-step sweeps they
    were designed on. A fixed 0.98 would trail a 100-step sweep by about 50
    steps, half of it, and move every reading of the curve to higher rates;
    on the default 1000 steps it would average a third as much of the sweep,
    and leave the curve noisier.

    Example:

    >>> round(smoothing_for(100), 3), round(smoothing_for(1000), 4)
    (0.941, 0.994)
    """
    return DEFAULT_SMOOTHING ** (_DESIGN_NUM_STEPS / num_steps)


def validate_smoothing(smoothing: float) -> None:
    if isinstance(smoothing, bool) or not isinstance(smoothing, (int, float)) or not 0 <= smoothing < 1:
        raise ValueError(f"`smoothing` must be a number in [0, 1). Received: smoothing={smoothing!r}")


class ExponentialMovingAverage:
    """Running, bias-corrected exponential moving average.

    Bias correction makes the first values an average of what has been seen
    rather than a pull towards zero, so the divergence test can run from the
    first step. `smoothing=0` returns each value unchanged.

    Example:

    >>> ema = ExponentialMovingAverage(0.5)
    >>> ema.update(2.0), ema.update(4.0)
    (2.0, 3.3333333333333335)
    """

    def __init__(self, smoothing: float):
        validate_smoothing(smoothing)
        self.smoothing = float(smoothing)
        self._average = 0.0
        self._count = 0

    def update(self, value: float) -> float:
        """Adds `value` and returns the bias-corrected average so far."""
        self._count += 1
        self._average = self.smoothing * self._average + (1 - self.smoothing) * value
        return self._average / (1 - self.smoothing**self._count)


def smooth(losses: Iterable[float], smoothing: float) -> np.ndarray:
    """Returns the bias-corrected moving average after each loss.

    A non-finite loss makes every later average non-finite, which is where a
    range test stops anyway.
    """
    ema = ExponentialMovingAverage(smoothing)
    return np.array([ema.update(float(loss)) for loss in losses], dtype=np.float64)
