"""When a range test has blown up."""

from __future__ import annotations

import math


def validate_divergence_threshold(divergence_threshold: float) -> None:
    if (
        isinstance(divergence_threshold, bool)
        or not isinstance(divergence_threshold, (int, float))
        or math.isnan(divergence_threshold)
        or divergence_threshold <= 1
    ):
        raise ValueError(
            "`divergence_threshold` must be a number greater than 1. "
            f"Received: divergence_threshold={divergence_threshold!r}"
        )


def has_diverged(smoothed_loss: float, best_loss: float, divergence_threshold: float) -> bool:
    """Whether the smoothed loss has blown up past `divergence_threshold` × the best.

    For a positive best loss this is `smoothed_loss > divergence_threshold *
    best_loss`. Written as a rise of `(divergence_threshold - 1) * |best_loss|`
    above the best, the same rule still means "blown up" when the loss is
    negative, where the product form would fire at once.
    """
    return smoothed_loss - best_loss > (divergence_threshold - 1) * abs(best_loss)
