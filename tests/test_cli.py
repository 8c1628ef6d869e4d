"""The command line, in process, on the current backend."""

import json

import keras
import numpy as np
import pytest

from keras_lrfinder.cli import main
from tests.models import mlp, regression_data


@pytest.fixture
def saved_model(tmp_path):
    model = mlp(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(*regression_data(), epochs=1, verbose=0)  # saves a built optimizer
    path = tmp_path / "model.keras"
    model.save(path)
    return path


@pytest.fixture
def data_file(tmp_path):
    x, y = regression_data()
    path = tmp_path / "data.npz"
    np.savez(path, x=x, y=y, sample_weight=np.ones(len(x)))
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_find_writes_the_plot_and_result_and_prints_the_suggestion(capsys, tmp_path, saved_model, data_file):
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "find", saved_model, data_file, "--out", out, "--num-steps", 60, "--end-lr", 1.0)
    assert code == 0
    assert "Suggested learning rate:" in stdout
    assert (out / "lr_find.png").stat().st_size > 0
    saved = json.loads((out / "lr_find.json").read_text())
    assert len(saved["losses"]) <= 60 and saved["format"].startswith("keras-lrfinder-result")


def test_find_repeats_and_plot_redraws_the_repeated_result(capsys, tmp_path, saved_model, data_file):
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "find", saved_model, data_file, "--out", out, "--num-steps", 40, "--repeats", 3)
    assert code == 0 and "(spread over 3 runs: " in stdout
    saved = json.loads((out / "lr_find.json").read_text())
    assert saved["format"].startswith("keras-lrfinder-repeated") and len(saved["runs"]) == 3
    code, stdout, _ = run(capsys, "plot", out / "lr_find.json", "--out", tmp_path / "again.png")
    assert code == 0 and "(spread over 3 runs: " in stdout and (tmp_path / "again.png").stat().st_size > 0


def test_find_takes_several_inputs_numbered_or_named(capsys, tmp_path):
    x, y = regression_data()
    inputs = [keras.Input((4,), name="left"), keras.Input((4,), name="right")]
    output = keras.layers.Dense(1)(keras.layers.Concatenate()(inputs))
    model = keras.Model(inputs, output)
    model.compile("adam", "mse")
    model.fit([x, x], y, epochs=1, verbose=0)
    model.save(tmp_path / "two.keras")
    np.savez(tmp_path / "numbered.npz", x0=x, x1=x, y=y)
    np.savez(tmp_path / "named.npz", left=x, right=x, y=y)
    for data in ("numbered.npz", "named.npz"):
        code, _, err = run(
            capsys, "find", tmp_path / "two.keras", tmp_path / data, "--out", tmp_path / f"out-{data}", "--num-steps", 20
        )
        assert code in (0, 1) and "error" not in err, (data, err)


def test_plot_redraws_a_saved_result_with_another_rule(capsys, tmp_path):
    from keras_lrfinder import LRFinderResult
    from tests.curves import typical_curve

    LRFinderResult(*typical_curve(noise=0.02)).save(tmp_path / "result.json")
    code, stdout, _ = run(capsys, "plot", tmp_path / "result.json", "--method", "minimum")
    assert code == 0 and (tmp_path / "result.png").stat().st_size > 0
    assert "Suggested learning rate:" in stdout


def test_demo_prints_the_suggestion_and_writes_the_plot(capsys, tmp_path):
    code, stdout, _ = run(capsys, "demo", "--out", tmp_path)
    assert code == 0
    assert "Suggested learning rate:" in stdout
    assert (tmp_path / "lr_find.png").exists() and (tmp_path / "lr_find.json").exists()


def one_line_error(capsys, *argv):
    code, _, err = run(capsys, *argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("keras-lrfinder: error: ")
    return lines[0]


def test_find_sweeps_find_lrs_default_1000_steps(capsys, tmp_path, saved_model, data_file):
    out = tmp_path / "out"
    code, _, _ = run(capsys, "find", saved_model, data_file, "--out", out, "--end-lr", 1e-2)
    assert code == 0
    assert len(json.loads((out / "lr_find.json").read_text())["losses"]) == 1000


def test_a_missing_file_is_one_line(capsys, tmp_path, data_file):
    assert "No such file" in one_line_error(capsys, "find", tmp_path / "nope.keras", data_file)
    assert "No such file" in one_line_error(capsys, "plot", tmp_path / "nope.json")


def test_wrong_keys_are_one_line(capsys, tmp_path, saved_model):
    np.savez(tmp_path / "bad.npz", features=np.zeros((8, 4)), y=np.zeros((8, 1)))
    line = one_line_error(capsys, "find", saved_model, tmp_path / "bad.npz")
    assert "no `x` array" in line and "features" in line


def test_an_uncompiled_model_is_one_line(capsys, tmp_path, data_file):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.save(tmp_path / "raw.keras")
    assert "must be compiled" in one_line_error(capsys, "find", tmp_path / "raw.keras", data_file)


def test_a_shape_mismatch_is_one_line(capsys, tmp_path, saved_model):
    np.savez(tmp_path / "wide.npz", x=np.zeros((64, 7), "float32"), y=np.zeros((64, 1), "float32"))
    one_line_error(capsys, "find", saved_model, tmp_path / "wide.npz")


def test_a_file_that_is_no_result_is_one_line(capsys, tmp_path):
    (tmp_path / "other.json").write_text("{}")
    assert "Not a keras-lrfinder result" in one_line_error(capsys, "plot", tmp_path / "other.json")


def test_a_backend_other_than_the_loaded_one_is_one_line(capsys, tmp_path):
    other = next(b for b in ("tensorflow", "jax", "torch") if b != keras.backend.backend())
    assert "already loaded" in one_line_error(capsys, "demo", "--backend", other, "--out", tmp_path)
