"""The loss-versus-learning-rate figure. The only module that imports matplotlib."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from keras_lrfinder.suggest import DEFAULT_METHOD, NoSuggestionError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from keras_lrfinder.result import LRFinderResult


def plot_result(
    result: LRFinderResult,
    ax: Axes | None = None,
    *,
    method: str | None = None,
    suggest: bool = True,
    show: bool = False,
) -> Axes:
    """Draws `result` on `ax` (a new figure if `None`) and returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    rates, smoothed = result.learning_rates, result.smoothed_losses
    (raw_line,) = ax.plot(rates, result.losses, alpha=0.3, linewidth=1, label="loss")
    ax.plot(rates, smoothed, color=raw_line.get_color(), linewidth=2, label="smoothed loss")
    if result.mode == "exponential":
        ax.set_xscale("log")
    _limit_to_curve(ax, result.losses, smoothed)
    ax.set_xlabel("learning rate" + (" (log scale)" if result.mode == "exponential" else ""))
    ax.set_ylabel("training loss")
    ax.set_title(f"Learning-rate range test ({result.stop_reason})")
    ax.grid(True, alpha=0.3)
    if suggest:
        _mark_suggestion(ax, result, method)
    ax.legend(loc="best")
    if show:
        plt.show()
    return ax


def _mark_suggestion(ax: Axes, result: LRFinderResult, method: str | None) -> None:
    try:
        learning_rate = result.suggestion(method)
    except NoSuggestionError:
        ax.text(0.02, 0.02, "no suggestion: the loss never falls", transform=ax.transAxes)
        return
    rates, smoothed = result.learning_rates, result.smoothed_losses
    finite = np.isfinite(smoothed)
    loss = np.interp(np.log(learning_rate), np.log(rates[finite]), smoothed[finite])
    ax.plot(
        [learning_rate],
        [loss],
        marker="o",
        markersize=9,
        color="tab:red",
        linestyle="none",
        label=f"suggestion ({method or DEFAULT_METHOD}): {learning_rate:.2e}",
        zorder=3,
    )
    ax.axvline(learning_rate, color="tab:red", linestyle=":", linewidth=1)


def _limit_to_curve(ax: Axes, losses: np.ndarray, smoothed: np.ndarray) -> None:
    # A diverged tail would squash the informative part of the curve into a line.
    finite = np.concatenate([losses[np.isfinite(losses)], smoothed[np.isfinite(smoothed)]])
    if finite.size == 0:
        return
    low = finite.min()
    high = max(np.percentile(finite, 95), smoothed[0] if np.isfinite(smoothed[0]) else low)
    margin = 0.05 * (high - low) or 0.05 * max(abs(high), 1e-12)
    ax.set_ylim(low - margin, high + margin)
