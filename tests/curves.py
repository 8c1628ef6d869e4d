"""Synthetic range-test curves for the pure-core tests."""

import numpy as np

from keras_lrfinder.sweep import sweep_learning_rates


def typical_curve(num_steps=100, best_lr=1e-2, noise=0.0, seed=0):
    """Flat at tiny rates, a fall that is steepest a decade below `best_lr`, then a blow-up."""
    rates = sweep_learning_rates(1e-7, 10.0, num_steps)
    position = np.log10(rates) - np.log10(best_lr)
    fall = 1 / (1 + np.exp(-2.5 * (position + 1)))
    losses = 2.0 - 1.5 * fall + 0.02 * np.exp(4 * np.clip(position, None, 3))
    rng = np.random.default_rng(seed)
    return rates, losses + noise * rng.standard_normal(num_steps)


def knee_curve(knee_lr=1e-3, num_steps=100):
    """Flat at 1, falling straight (in log lr) to 0 over two decades up to `knee_lr`, then rising.

    The fall passes 60%, 75% and 90% of its depth 0.8, 0.5 and 0.2 decades
    below `knee_lr`, so `knee` reads the fall at 10**-0.5 * `knee_lr`.
    """
    rates = sweep_learning_rates(1e-7, 10.0, num_steps)
    position = np.log10(rates) - np.log10(knee_lr)
    falling = np.clip(-position / 2, 0, 1)
    rising = np.clip(position - 1, 0, None)
    return rates, falling + rising
