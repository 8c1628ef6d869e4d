"""notebooks/lr_finder.ipynb runs top to bottom on a fresh kernel of this
Python, on the suite's backend, shows what its text says, and is committed
without outputs."""

import json
import re
import sys
from pathlib import Path

import keras
import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "lr_finder.ipynb"
KERNEL_NAME = "keras-lrfinder-test"
ANSI_STYLE = re.compile(r"\x1b\[[0-9;]*m")
PROGRESS_LINE = re.compile(r"\s*(\d+)/(\d+) ━+ .* - lr: \S+ - smoothed_loss: \S+\s*")
SUMMARY_LINE = re.compile(
    r"LRFinder: (completed|diverged|non_finite|interrupted) at lr=\S+ after (\d+)/(\d+) steps; .*"
)
RATE_LINE = re.compile(r"\s*(.+?) \(\S+\): validation loss (\S+), accuracy \S+")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    needs_extra = 'needs the test extra: pip install -e ".[test]"'
    nbclient = pytest.importorskip("nbclient", reason=needs_extra)
    pytest.importorskip("ipykernel", reason=needs_extra)
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # Run in memory only: tells which Python the kernel was.
    notebook.cells.append(nbformat.v4.new_code_cell("import sys\nprint(sys.prefix)"))
    # A kernel spec of our own: a "python3" spec elsewhere (such as in
    # ~/.local/share/jupyter) could start some other Python.
    kernels = tmp_path_factory.mktemp("kernels")
    (kernels / KERNEL_NAME).mkdir()
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "keras-lrfinder tests",
        "language": "python",
    }
    (kernels / KERNEL_NAME / "kernel.json").write_text(json.dumps(spec))
    kernel_manager = AsyncKernelManager(
        kernel_name=KERNEL_NAME, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)])
    )
    with pytest.MonkeyPatch.context() as environment:
        # The kernel inherits the environment: the suite's backend, and
        # matplotlib's own choice of backend, which is inline in a kernel.
        environment.setenv("KERAS_BACKEND", keras.backend.backend())
        environment.delenv("MPLBACKEND", raising=False)
        client = nbclient.NotebookClient(
            notebook,
            km=kernel_manager,
            timeout=300,
            # Merges each cell's streams and applies \b and \r, as a notebook
            # front end does: the text is what a user sees.
            coalesce_streams=True,
            resources={"metadata": {"path": str(tmp_path_factory.mktemp("workdir"))}},
        )
        client.execute()  # raises CellExecutionError if any cell fails
    return notebook


def cell_running(notebook, code):
    return next(cell for cell in notebook.cells if cell.cell_type == "code" and code in cell.source)


def stdout_lines(cell):
    streams = [output for output in cell.outputs if output.output_type == "stream"]
    text = "".join(output.text for output in streams if output.name == "stdout")
    return [line for line in ANSI_STYLE.sub("", text).splitlines() if line.strip()]


def shows_image(cell):
    return any("image/png" in output.get("data", {}) for output in cell.outputs)


def test_runs_in_this_python_on_the_suites_backend(executed):
    assert stdout_lines(executed.cells[-1]) == [sys.prefix]
    backend_line = stdout_lines(cell_running(executed, "keras.backend.backend()"))
    assert backend_line == [f"Keras {keras.__version__}, backend: {keras.backend.backend()}"]


def test_install_cell_installs_nothing_where_the_package_is_installed(executed):
    install_cell = cell_running(executed, "PACKAGE = ")
    assert stdout_lines(install_cell) == ["keras_lrfinder is already installed."]


def test_plots_show_inline(executed):
    for code in ("keras_lrfinder.find_lr(", "histories[name] = history", "callbacks=[finder]"):
        assert shows_image(cell_running(executed, code)), code


def test_find_lr_shows_one_progress_line_then_why_it_stopped(executed):
    progress, summary, suggestion = stdout_lines(cell_running(executed, "keras_lrfinder.find_lr("))
    shown_step, num_steps = PROGRESS_LINE.fullmatch(progress).groups()
    stop_reason, steps_run, summary_num_steps = SUMMARY_LINE.fullmatch(summary).groups()
    assert shown_step == steps_run  # the bar ends where the run stopped
    assert num_steps == summary_num_steps == "1000"  # find_lr's default
    assert suggestion.startswith("Suggested learning rate: ")


def test_repeats_plot_the_band_and_give_the_spread_and_a_one_cycle_schedule(executed):
    repeats = cell_running(executed, "repeats=3")
    assert shows_image(repeats)
    assert re.fullmatch(
        r"Suggested learning rate: \S+, spread \d+\.\d\d decades over 3 runs", *stdout_lines(repeats)
    )
    one_cycle = stdout_lines(cell_running(executed, "repeated.one_cycle("))
    assert re.fullmatch(r"One cycle up to \S+: validation loss \d+\.\d+", *one_cycle)


def test_callback_form_leaves_the_progress_bar_to_keras(executed):
    lines = stdout_lines(cell_running(executed, "callbacks=[finder]"))
    assert lines[0] == "Epoch 1/10"
    assert not any("smoothed_loss" in line for line in lines)
    assert [line for line in lines if line.startswith("LRFinder")] == [lines[-1]]
    assert SUMMARY_LINE.fullmatch(lines[-1])


def test_the_suggestion_trains_best_of_the_three_rates(executed):
    # What the text after the comparison says.
    lines = stdout_lines(cell_running(executed, "histories[name] = history"))
    validation_losses = dict(RATE_LINE.fullmatch(line).groups() for line in lines)
    assert validation_losses.keys() == {"suggestion", "suggestion / 100", "suggestion × 30"}
    best = min(validation_losses, key=lambda name: float(validation_losses[name]))
    assert best == "suggestion", validation_losses


def test_committed_notebook_has_no_outputs():
    notebook = json.loads(NOTEBOOK.read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["source"]
