"""The loss-versus-learning-rate figure. The only module that imports matplotlib."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from keras_lrfinder.suggest import DEFAULT_METHOD, NoSuggestionError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from keras_lrfinder.repeated import RepeatedLRFinderResult
    from keras_lrfinder.result import LRFinderResult


def plot(
    result: LRFinderResult | RepeatedLRFinderResult,
    ax: Axes | None = None,
    *,
    method: str | None = None,
    suggest: bool = True,
    show: bool = False,
) -> Axes:
    """Draws `result` on `ax` (a new figure if `None`) and returns the Axes."""
    from keras_lrfinder.repeated import RepeatedLRFinderResult

    ax = _axes(ax)
    if isinstance(result, RepeatedLRFinderResult):
        _draw_runs(ax, result)
        spread = result.spread(method) if suggest else math.nan
    else:
        _draw_run(ax, result)
        spread = math.nan
    return _finish(ax, result, method, suggest, show, spread)


def _draw_run(ax: Axes, result: LRFinderResult) -> None:
    rates, smoothed = result.learning_rates, result.smoothed_losses
    (raw_line,) = ax.plot(rates, result.losses, alpha=0.3, linewidth=1, label="loss")
    ax.plot(rates, smoothed, color=raw_line.get_color(), linewidth=2, label="smoothed loss")
    shown = [result.losses]
    if result.validation_losses is not None:
        ax.plot(rates, result.validation_losses, color="tab:orange", linewidth=1.5, label="validation loss")
        shown.append(result.validation_losses)
    _limit_to_curve(ax, np.concatenate(shown), smoothed)
    ax.set_title(f"Learning-rate range test ({result.stop_reason})")


def _draw_runs(ax: Axes, result: RepeatedLRFinderResult) -> None:
    rates, median = result.learning_rates, result.smoothed_losses
    for index, run in enumerate(result.runs):
        ax.plot(
            run.learning_rates, run.smoothed_losses, color="tab:blue", alpha=0.25, linewidth=1,
            label="each run (smoothed)" if index == 0 else None,
        )
    low, high = result.band
    ax.fill_between(rates, low, high, color="tab:blue", alpha=0.15, linewidth=0, label="band: all runs")
    ax.plot(rates, median, color="tab:blue", linewidth=2, label=f"median of {len(result.runs)} runs")
    _limit_to_curve(ax, np.concatenate([low, high]), median)
    ax.set_title(f"Learning-rate range test, {len(result.runs)} runs")


def _axes(ax: Axes | None) -> Axes:
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(7, 4.5))[1] if ax is None else ax


def _finish(ax: Axes, result: Any, method: str | None, suggest: bool, show: bool, spread: float) -> Axes:
    if result.mode == "exponential":
        ax.set_xscale("log")
    ax.set_xlabel("learning rate" + (" (log scale)" if result.mode == "exponential" else ""))
    ax.set_ylabel("loss")
    ax.grid(True, alpha=0.3)
    if suggest:
        _mark_suggestion(ax, result, method, spread)
    ax.legend(loc="best")
    if show:
        import matplotlib.pyplot as plt

        plt.show()
    return ax


def _mark_suggestion(ax: Axes, result: Any, method: str | None, spread: float) -> None:
    try:
        learning_rate = result.suggestion(method)
    except NoSuggestionError:
        ax.text(0.02, 0.02, "no suggestion: the loss never falls", transform=ax.transAxes)
        return
    rates, smoothed = result.learning_rates, result.smoothed_losses
    finite = np.isfinite(smoothed)
    loss = np.interp(np.log(learning_rate), np.log(rates[finite]), smoothed[finite])
    label = f"suggestion ({method or DEFAULT_METHOD}): {learning_rate:.2e}"
    if math.isfinite(spread):
        # One std of the runs' own suggestions, either side on the log axis.
        label += f" ± {spread:.2f} decades"
        ax.errorbar(
            [learning_rate], [loss], xerr=[[learning_rate * (1 - 10**-spread)], [learning_rate * (10**spread - 1)]],
            color="tab:red", capsize=4, linestyle="none",
        )
    ax.plot(
        [learning_rate], [loss], marker="o", markersize=9, color="tab:red", linestyle="none",
        label=label, zorder=3,
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
