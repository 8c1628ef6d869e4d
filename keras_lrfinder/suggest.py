"""Rules that read a learning rate off a range-test curve.

Each rule is a pure function `rule(learning_rates, losses) -> float` of the
swept learning rates and the (smoothed) losses recorded at them; `knee` and
`consensus` also take the kind of optimizer the range test ran with. A rule raises
`NoSuggestionError` when the curve gives it no basis for a suggestion.

Before a rule reads the curve it is cut where fastai cuts it: the first tenth
of the points (where the moving average is still warming up) and the last
five (the blow-up) are dropped, and so is everything from the first
non-finite loss on. Where the loss of what is left never falls below its
first value, no rate beats the smallest one and every rule raises
`NoSuggestionError`.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import types
import warnings
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

ArrayLike = Sequence[float] | np.ndarray
Rule = Callable[[ArrayLike, ArrayLike], float]

MIN_POINTS = 5
_SKIP_END = 5


class NoSuggestionError(ValueError):
    """The curve gives no basis for a suggestion; the message says why and what to try."""


def steepest(learning_rates: ArrayLike, losses: ArrayLike) -> float:
    """The learning rate where the loss falls fastest against log(learning rate).

    It can latch onto early noise, or onto the cliff just before divergence.
    """
    rates, values = _usable_curve(learning_rates, losses)
    slopes = np.diff(values) / np.diff(np.log(rates))
    return float(rates[np.argmin(slopes)])


def minimum(learning_rates: ArrayLike, losses: ArrayLike) -> float:
    """The learning rate of the lowest loss, divided by 10.

    At the minimum the loss is about to blow up; a tenth of it is a rate that
    still learns fast and is safely below that edge.
    """
    rates, values = _usable_curve(learning_rates, losses)
    index = int(np.argmin(values))
    suggestion = float(rates[index]) / 10
    if suggestion < rates[0]:
        raise NoSuggestionError(
            f"The loss is lowest at lr={rates[index]:.3g}, less than a decade above "
            f"the start of the usable curve ({rates[0]:.3g}), so a tenth of it lies "
            "outside the sweep. Lower `start_lr`."
        )
    return suggestion


def valley(learning_rates: ArrayLike, losses: ArrayLike) -> float:
    """A point two thirds of the way down the longest valley, as fastai picks it.

    The valley is the longest run of points whose losses keep falling (not
    necessarily next to each other). Its lower third is where the loss falls
    steadily, away from both the flat start and the minimum.
    """
    rates, values = _usable_curve(learning_rates, losses)
    start, end = _longest_valley(values)
    third = (end - start) / 3
    index = max(start + int(third) + int(third / 2), 0)
    return float(rates[index])


def slide(
    learning_rates: ArrayLike,
    losses: ArrayLike,
    lr_diff: int = 15,
    threshold: float = 0.005,
) -> float:
    """fastai's `slide`: walk left from the end until the slope settles.

    Two points `lr_diff` apart slide left from the end of the curve until the
    loss gradients (per point) at them differ by at most `threshold`. The
    threshold is in loss units, so the rule depends on the scale of the loss.
    """
    rates, values = _usable_curve(learning_rates, losses)
    if len(values) <= lr_diff:
        raise NoSuggestionError(
            f"`slide` needs more than lr_diff={lr_diff} usable points; the curve has "
            f"{len(values)}. Increase `num_steps`."
        )
    gradient = np.gradient(values)
    right = len(values) - 1
    left = right - lr_diff
    suggestion = rates[left]
    while left >= 0 and abs(gradient[right] - gradient[left]) > threshold:
        suggestion = rates[left]
        right -= 1
        left -= 1
    return float(suggestion)


_KNEE_DEPTHS = (0.6, 0.75, 0.9)
_KNEE_STEPS_BACK = 2.0
OptimizerKind = Literal["sgd", "adaptive"]
OPTIMIZER_KINDS: tuple[str, ...] = ("sgd", "adaptive")
_KNEE_FACTORS: dict[str | None, float] = {"sgd": 1.5, "adaptive": 0.25, None: 1.0}


def validate_optimizer_kind(optimizer_kind: object) -> None:
    if optimizer_kind is not None and optimizer_kind not in OPTIMIZER_KINDS:
        raise ValueError(
            f"`optimizer_kind` must be one of {OPTIMIZER_KINDS} or None. "
            f"Received: optimizer_kind={optimizer_kind!r}"
        )


def knee(
    learning_rates: ArrayLike, losses: ArrayLike, optimizer_kind: OptimizerKind | None = None
) -> float:
    """Where the fall of the loss runs into its bottom, moved for the kind of optimizer.

    Going back from the lowest loss, the rule finds where the curve last came
    down through 60%, 75% and 90% of the way from the highest loss before
    the bottom to the bottom, interpolating between steps, and averages the
    three positions. It steps two steps of the sweep back from that average
    (a factor of about 1.45 on `find_lr`'s default sweep), and multiplies by
    1.5 for `optimizer_kind="sgd"` and by 1/4 for `"adaptive"`; without an
    `optimizer_kind` it stays there, between the two.

    Why there: the bottom of the smoothed curve is flat, and its lowest point
    wanders with the order of the batches, so rules that read the lowest
    point (`minimum`) or the longest run of falling losses (`valley`) move
    with it. The knee, where the fall flattens out, is read at three depths
    and between steps, so it moves smoothly with the losses: across seeds it
    varied least of the rules on the tasks of benchmarks/suggestion_quality.py
    it was designed on. On a curve that stays all but flat it can read a dip
    in the noise instead (see `consensus`). It does not depend on the scale
    or offset of the loss. The moving average shows
    the knee some steps after the rates that made it, hence the step back.
    It is two steps whatever the length of the sweep, as chosen on 300-step
    sweeps; `smoothing_for` keeps the lag a share of the sweep, so on the
    default 1000 steps the step back covers a third as much of it.

    Why the optimizer matters: SGD's step is the gradient times the rate, so
    its best constant rate sits near the edge of stability, which is where
    the fall of the range test ends; on a squared error with a narrow window
    the knee is already a little low. An adaptive optimizer (Adam, AdamW,
    RMSprop, Adagrad, Nadam, Lion: anything that scales each coordinate's
    step by the gradients' own size) moves every weight by about the rate
    per step whatever the gradient, so the loss keeps falling in a short
    range test at rates that, over a whole training, leave it bouncing on a
    noise floor the size of the rate: its best constant rate sits well below
    the knee. The factors were chosen on 14 tasks of
    benchmarks/suggestion_quality.py (0.25 to 0.3 and 1.4 to 1.5 all did
    about as well there). On 6 tasks added after they were fixed, x1.5 held
    up, and x1/4 was too low on two of the four adaptive tasks.

    It misleads where the curve falls twice (it reads the fall that ends at
    the lowest loss) or the sweep ends before the loss stops falling (the
    knee is then the end of the sweep). Its constants were chosen on 300-step
    curves smoothed with 0.98; lighter smoothing for the length of the sweep
    lags less, which moves the knee, and the suggestion, lower.
    """
    validate_optimizer_kind(optimizer_kind)
    rates, values = _usable_curve(learning_rates, losses)
    fall = values[: int(np.argmin(values)) + 1]
    top, bottom = fall.max(), fall[-1]
    positions = [_last_crossing(fall, top - depth * (top - bottom)) for depth in _KNEE_DEPTHS]
    position = max(np.mean(positions) - _KNEE_STEPS_BACK, 0.0)
    suggestion = np.exp(np.interp(position, np.arange(len(rates)), np.log(rates)))
    suggestion *= _KNEE_FACTORS[optimizer_kind]
    # exp(log(rate)) can miss the rate by a rounding error, out of the sweep.
    return float(np.clip(suggestion, rates[0], rates[-1]))


def _last_crossing(fall: np.ndarray, level: float) -> float:
    """The position, in steps between two points, where `fall` last comes down through `level`.

    `fall` ends at its lowest value, below `level`, and starts at or rises to
    a value above it, so the crossing exists.
    """
    above = int(np.flatnonzero(fall > level)[-1])
    return above + (fall[above] - level) / (fall[above] - fall[above + 1])


_CONSENSUS_FACTORS: dict[str | None, float] = {"adaptive": 0.8, "sgd": 2.2, None: 1.0}
# How many decades the usable curve must span for a lowest loss in its first decade to
# mean a dip at the start of a flat curve rather than a fall.
_WIDE_SWEEP_DECADES = 3
# How far below the end of the usable curve a lowest loss means that the loss stopped
# falling long before it blew up, in the noise of a curve that stays all but flat.
_FAR_FROM_END_DECADES = 3


def consensus(
    learning_rates: ArrayLike, losses: ArrayLike, optimizer_kind: OptimizerKind | None = None
) -> float:
    """The geometric mean of three readings of the curve, times a factor for the optimizer.

    The readings are `knee` without the optimizer's kind, `valley` and
    `minimum`. Where the lowest loss lies three decades or more below the
    end of the curve, or less than a decade into a curve that spans three
    decades or more (as the default sweep's eight do; `minimum` then has no
    reading), `valley` alone is read, with a warning that the suggestion is a
    rough guess; on a narrower curve, or a linear sweep, where `minimum` has
    none the other two are averaged. The factor is 0.8 for
    `optimizer_kind="adaptive"`, 2.2 for `"sgd"` and 1 for an unknown kind.

    Why: on the tasks of benchmarks/suggestion_quality.py the best constant
    rate sits anywhere from 1.6 decades below the knee to 2 above it, and
    no feature of the curve that benchmarks/curve_features.py reads tells
    where. The three rules read different features (where the fall flattens,
    the middle of the longest fall, the lowest loss) and err in different
    directions from task to task, so their mean in log space errs less than
    each of them. What the kind of optimizer changes is how far the best rate
    sits from that mean: SGD's step is the gradient times the rate, so its
    best constant rate lies near the edge of stability, at the end of the
    fall, while an adaptive optimizer (Adam, RMSprop, Lion: anything that
    scales each coordinate's step by the gradients' own size) moves every
    weight by about the rate per step, and over a whole training does best
    lower down, below the bottom of a short range test.

    The factors come from benchmarks/suggestion_quality.py, as
    benchmarks/consensus_factor.py scans them: 0.8 on the 13 adaptive tasks
    of its first 20, where every factor from 0.56 to 1 did about as well;
    2.2 on its first 10 SGD tasks, the middle of the factors (2 to 2.5) whose
    worst regret there stays under 1.3 (leaving each task out in turn, the
    other nine pick 2.24 for 8 of the 10). On the 98 tasks written after,
    with 36 SGD ones, its median regret was 1.035 and its worst 1.63 (on a
    self-attention model that learns only above a threshold rate, and
    unsteadily there). Two rounds of eight of them were written to decide
    a factor, each by a rule fixed before they ran: x1 replacing x0.8 for
    adaptive optimizers, and, after a round whose three SGD tasks the
    suggestion overshot by 0.14 to 1.21 decades, x1.78 replacing x2.2 for
    SGD, on eight SGD tasks; either would replace the factor if its median
    and worst regret there were no higher. Both had the higher worst, so
    both factors stayed. An unknown kind gets no correction.

    Why `valley` alone there: on a curve that learns, the loss falls until
    shortly before it blows up (`find_lr` stops there), so a lowest loss
    at the start of the curve, or decades before its end, is a dip in the
    noise of a curve that stays all but flat until it blows up. `knee`,
    which reads the fall that ends at the lowest loss, and `minimum` read
    that dip, up to five decades below `valley`, which reads the longest
    fall; such curves made most of the spread of `consensus`. Each case was
    decided by a round of tasks picked, by their range tests alone, for
    such curves, and committed with the rule that `valley` alone replaces
    what `consensus` read there if its mean spread over them is lower and
    its median and worst regret no higher. Both times it was: where
    `minimum` has none, on eight tasks, median 1.39 against 1.49, worst 2.20
    against 4.56 and spread 0.76 against 0.91 decades; three decades or
    more below the end, on nine, 1.156 against 1.160, 2.84 against 2.95 and
    0.42 against 0.65, on tasks where every rule does badly. On a curve of
    less than three decades (a linear sweep puts all but its first tenth
    within one) the first decade is much of the curve, not its start, and
    no rate lies three decades below the end, so there nothing changed. A
    curve that runs on for decades past its blow-up (recorded by hand, or
    with a `divergence_threshold` that never stops the range test) can
    look the same, and get `valley` alone and the warning.
    Over all 181 tasks of the benchmark, on 300-step range tests it moves
    less between runs than any of its readings (a mean spread of 0.133
    decades, against 0.161 for `valley`, 0.235 for `minimum` and 0.239 for
    `knee`); on `find_lr`'s default 1000 steps every reading moves less,
    `consensus` 0.070 decades (`knee` 0.064, `valley` 0.095, `minimum`
    0.107; benchmarks/sweep_length.py).
    """
    validate_optimizer_kind(optimizer_kind)
    return _scaled_consensus(learning_rates, losses, _CONSENSUS_FACTORS[optimizer_kind])


def _scaled_consensus(learning_rates: ArrayLike, losses: ArrayLike, factor: float) -> float:
    """`factor` times the geometric mean of `consensus`'s readings, kept inside the sweep.

    Apart from `consensus` so that the benchmark can score other factors.
    """
    rates, values = _usable_curve(learning_rates, losses)
    lowest = float(rates[np.argmin(values)])
    if _lies_at_the_start(lowest, rates) or _lies_far_below_the_end(lowest, rates):
        _warn_of_a_dip(lowest, float(rates[-1]))
        readings = [valley(learning_rates, losses)]
    else:
        readings = _knee_valley_and_minimum(learning_rates, losses)
    return _scaled_geometric_mean(readings, learning_rates, losses, factor)


def _lies_at_the_start(rate: float, rates: np.ndarray) -> bool:
    """Less than a decade into a curve of `_WIDE_SWEEP_DECADES` or more."""
    return rate < 10 * rates[0] and rates[-1] >= 10**_WIDE_SWEEP_DECADES * rates[0]


def _lies_far_below_the_end(rate: float, rates: np.ndarray) -> bool:
    return rates[-1] >= 10**_FAR_FROM_END_DECADES * rate


def _knee_valley_and_minimum(learning_rates: ArrayLike, losses: ArrayLike) -> list[float]:
    """`knee`, `valley` and, where it has one, `minimum`: what `consensus` reads where the
    lowest loss lies neither at the start of the curve nor far below its end.

    Apart from `_scaled_consensus` so that the benchmark can score what it read before.
    """
    readings = [knee(learning_rates, losses), valley(learning_rates, losses)]
    with contextlib.suppress(NoSuggestionError):
        readings.append(minimum(learning_rates, losses))
    return readings


def _warn_of_a_dip(lowest: float, end: float) -> None:
    warnings.warn(
        f"The loss is lowest at lr={lowest:.3g}, {np.log10(end / lowest):.1f} decades below "
        f"the end of the curve (lr={end:.3g}), whereas on a curve that learns it is lowest "
        "shortly before it blows up; so the suggestion reads `valley` alone and is a rough "
        "guess. Look at the plot: if the loss falls from the start, lower `start_lr`; if it "
        "hardly falls before it blows up, try a few rates around the suggestion, or sweep "
        "again with more `num_steps` from 3 or 4 decades below the blow-up.",
        stacklevel=_stacklevel_of_the_caller(),
    )


def _stacklevel_of_the_caller() -> int:
    """The `stacklevel` that points a warning, raised by the function that calls this
    one, at the user's code: the first caller outside this package and Keras.

    A fixed level would point into the package or Keras when the user calls
    `suggestion()` or `fit` with an `LRFinder`, and Python shows a warning once
    per place, so a fixed place would show it once a session.
    """
    frame, stacklevel = sys._getframe(2), 2
    while frame.f_back is not None and _is_between_the_user_and_a_rule(frame):
        frame, stacklevel = frame.f_back, stacklevel + 1
    return stacklevel


def _is_between_the_user_and_a_rule(frame: types.FrameType) -> bool:
    return frame.f_globals.get("__name__", "").split(".")[0] in ("keras", __package__)


def _scaled_geometric_mean(
    readings: Sequence[float], learning_rates: ArrayLike, losses: ArrayLike, factor: float
) -> float:
    """`factor` times the geometric mean of `readings`, kept inside the usable curve.

    Apart from `_scaled_consensus` so that the benchmark can score other readings.
    """
    rates, _ = _usable_curve(learning_rates, losses)
    suggestion = factor * np.exp(np.mean(np.log(readings)))
    return float(np.clip(suggestion, rates[0], rates[-1]))


RULES: dict[str, Rule] = {
    "valley": valley,
    "steepest": steepest,
    "minimum": minimum,
    "slide": slide,
    "knee": knee,
    "consensus": consensus,
}
_READS_OPTIMIZER_KIND = (knee, consensus)
DEFAULT_METHOD = "consensus"


def suggest_range(
    learning_rates: ArrayLike, losses: ArrayLike, method: str | None = None
) -> tuple[float, float]:
    """Bounds `(base_lr, max_lr)` for one-cycle and cyclical training.

    `max_lr` is the suggestion of `method`, which here defaults to `knee`
    read without the optimizer's kind (a cycle holds its peak only briefly,
    so the peak can be higher than a constant rate), but never above the
    rate of the lowest loss, past which the loss rises. `base_lr` is a
    quarter of `max_lr`, the lower bound Smith (2015, section 3.3) gives for
    cyclical rates. In benchmarks/suggestion_quality.py (181 tasks, 300-step
    range tests), one-cycle training peaking at this `max_lr` beat the
    constant rate of `suggestion()` on 121 tasks (median loss 0.97 times its
    loss), 106 of them among the 161 tasks written after this peak was chosen;
    it lost by a factor of 3.5 on a model that learns only above a
    threshold rate, below which its warm-up and annealing spend most steps.
    Peaking at a third of the rate of the lowest loss, chosen first on 14
    tasks, lost on 4 of the 6 tasks added next, once by a factor of 1.8.
    """
    rule = get_rule("knee" if method is None else method)
    rates, values = _usable_curve(learning_rates, losses)
    max_lr = min(rule(learning_rates, losses), float(rates[np.argmin(values)]))
    return max_lr / 4, max_lr


def get_rule(method: str | None, optimizer_kind: OptimizerKind | None = None) -> Rule:
    """Returns the rule named `method`, or the default rule for `None`.

    The rules that read the kind of optimizer (`knee`, `consensus`) get
    `optimizer_kind`.
    """
    method = DEFAULT_METHOD if method is None else method
    if method not in RULES:
        raise ValueError(f"`method` must be one of {sorted(RULES)}. Received: method={method!r}")
    if RULES[method] in _READS_OPTIMIZER_KIND:
        return functools.partial(RULES[method], optimizer_kind=optimizer_kind)
    return RULES[method]


def _usable_curve(learning_rates: ArrayLike, losses: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    rates = np.asarray(learning_rates, dtype=np.float64)
    values = np.asarray(losses, dtype=np.float64)
    if rates.shape != values.shape or rates.ndim != 1:
        raise ValueError(
            "`learning_rates` and `losses` must be 1-D and of the same length. "
            f"Received: shapes {rates.shape} and {values.shape}"
        )
    finite = np.isfinite(rates) & np.isfinite(values) & (rates > 0)
    first_bad = int(np.argmin(finite)) if not finite.all() else len(finite)
    num_points = first_bad
    skip_start = num_points // 10
    skip_end = min(_SKIP_END, max(num_points - skip_start - MIN_POINTS, 0))
    rates, values = rates[skip_start : num_points - skip_end], values[skip_start : num_points - skip_end]
    if len(values) < MIN_POINTS:
        raise NoSuggestionError(
            f"The curve has {num_points} finite points before its first non-finite "
            f"loss; a suggestion needs at least {MIN_POINTS}. Increase `num_steps`, or "
            "lower `end_lr` if the loss blew up at once."
        )
    if values.min() >= values[0]:
        raise NoSuggestionError(
            "The loss never falls below its value at the start of the sweep, so no "
            "rate does better than the smallest. Raise `end_lr` if the curve is flat "
            "to the end; lower `start_lr` if it rises from the start. If it stays flat "
            "and then blows up, the model learned too little within the sweep to show "
            "where it learns best: raise `start_lr` to 3 or 4 decades below the blow-up, "
            "or raise `num_steps`, so that more steps fall on the rates that matter. "
            "Check, too, that the model can learn from the data at all."
        )
    return rates, values


def _longest_valley(values: np.ndarray) -> tuple[int, int]:
    """fastai's longest-valley search, vectorized over the inner loop.

    `lengths[i]` is the length of the longest run of falling losses ending at
    point i. Like fastai, the valley's start is fixed by the first length that
    beats the longest so far, so the results are the same as fastai's.
    """
    lengths = np.ones(len(values), dtype=np.int64)
    start = end = 0
    for i in range(1, len(values)):
        candidates = np.where(values[:i] > values[i], lengths[:i] + 1, 1)
        running = np.maximum.accumulate(candidates)
        lengths[i] = running[-1]
        if lengths[i] > lengths[end]:
            first_longer = int(np.argmax(running > lengths[end]))
            start = i - int(running[first_longer])
            end = i
    return start, end
