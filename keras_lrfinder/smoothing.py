"""Bias-corrected exponential moving average of the loss, as fastai computes it."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


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
    (2.0, 3.333333333333333)
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
