"""The learning rates of a range test: a pure function of the step."""

from __future__ import annotations

import math

import numpy as np

MODES = ("exponential", "linear")
DEFAULT_NUM_STEPS = 1000  # find_lr's and LRFinder's; see the README for why


def validate_sweep(start_lr: float, end_lr: float, num_steps: int, mode: str) -> None:
    """Raises `ValueError` naming the first sweep argument that is invalid."""
    if not _is_finite_number(start_lr) or start_lr <= 0:
        raise ValueError(
            f"`start_lr` must be a positive, finite number. Received: start_lr={start_lr!r}"
        )
    if not _is_finite_number(end_lr) or end_lr <= start_lr:
        raise ValueError(
            "`end_lr` must be a finite number greater than `start_lr` "
            f"({start_lr!r}). Received: end_lr={end_lr!r}"
        )
    if isinstance(num_steps, bool) or not isinstance(num_steps, (int, np.integer)) or num_steps < 2:
        raise ValueError(
            f"`num_steps` must be an integer of at least 2. Received: num_steps={num_steps!r}"
        )
    if mode not in MODES:
        raise ValueError(f"`mode` must be one of {MODES}. Received: mode={mode!r}")


def sweep_learning_rates(
    start_lr: float, end_lr: float, num_steps: int, mode: str = "exponential"
) -> np.ndarray:
    """Returns the learning rate of each of the `num_steps` steps.

    Step `i` (from 0) gets
    `start_lr * (end_lr / start_lr) ** (i / (num_steps - 1))` in `"exponential"`
    mode and `start_lr + (end_lr - start_lr) * i / (num_steps - 1)` in
    `"linear"` mode. The values are rounded to float32, the precision the
    optimizer applies them at, so that the recorded rates are the applied ones.

    Example:

    >>> sweep_learning_rates(1e-3, 1e-1, 3).tolist()  # doctest: +ELLIPSIS
    [0.0010000000474974513, 0.009999999776482582, 0.10000000149011612]
    """
    validate_sweep(start_lr, end_lr, num_steps, mode)
    fraction = np.arange(num_steps, dtype=np.float64) / (num_steps - 1)
    if mode == "exponential":
        rates = start_lr * (end_lr / start_lr) ** fraction
    else:
        rates = start_lr + (end_lr - start_lr) * fraction
    return rates.astype(np.float32).astype(np.float64)


def _is_finite_number(value: object) -> bool:
    return (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )
