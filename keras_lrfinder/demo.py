"""The demo: a range test on built-in synthetic data, with no downloads."""

from __future__ import annotations

import numpy as np

from keras_lrfinder import suggest
from keras_lrfinder.result import LRFinderResult
from keras_lrfinder.suggest import NoSuggestionError


def make_spirals(num_samples: int = 4096, num_classes: int = 3, noise: float = 0.25, seed: int = 0):
    """Interleaved noisy spirals in 2-D, padded with 6 features of pure noise."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, num_classes, num_samples)
    radius = rng.uniform(0.1, 1.0, num_samples)
    angle = 4 * radius + 2 * np.pi * labels / num_classes
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    points += noise * radius[:, None] * rng.standard_normal((num_samples, 2))
    distractors = rng.standard_normal((num_samples, 6))
    return np.concatenate([points, distractors], axis=1).astype("float32"), labels


def run_demo(seed: int = 0) -> LRFinderResult:
    """Runs `find_lr` on a small MLP and prints what each rule would pick."""
    import keras

    from keras_lrfinder import find_lr

    x, y = make_spirals(seed=seed)
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((x.shape[1],)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(3),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    print(f"Range test of a 64-64 MLP on 3 noisy spirals (Keras {keras.__version__}, backend {keras.backend.backend()})")
    result = find_lr(model, x, y, batch_size=64)
    for method in suggest.RULES:
        try:
            print(f"  {method:>9}: {result.suggestion(method):.2e}")
        except NoSuggestionError as error:
            print(f"  {method:>9}: none ({error})")
    return result
