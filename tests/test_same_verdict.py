"""The same verdict everywhere (issue 10, item 4).

For the same notebook state, the self-check in the learner's kernel (``selfcheck.results``),
the nbgrader test cells (``nbgrader_cells.grade``) and the grader (``grade_one``, what
``autograder check`` and ``grade`` run) give the same status and the same message per check.
Every notebook runs in ONE real Jupyter kernel (the namespace is reset between notebooks) and
through the session's warm grading worker. The first tests judge plain facts (no TensorFlow).
"""
from __future__ import annotations

import json
import os
import re
import threading

import pytest

from autograder.judge import checks
from autograder.judge import keras_checks
from autograder.judge import rubric
from autograder.judge.checks import evaluate
from conftest import FIRST

HISTORY = {"loss": [1.5, 1.2, 1.0], "val_loss": [1.4, 1.3, 1.3],
           "accuracy": [0.4, 0.5, 0.6], "val_accuracy": [0.45, 0.5, 0.52]}
OLDER = {k: [v + 0.01 for v in vs] for k, vs in HISTORY.items()}
FIT_ERROR = {"type": "ValueError", "message": "Arguments `target` and `output` must have the same rank (ndim)."}


def _fit_ok(earlier: list[dict] | None = None) -> dict:
    return {"calls": 1, "last_call": {"x": "train_ds", "epochs": {"given_as": "int", "value": 3},
                                      "validation_data": "val_ds", "error": None},
            "history": {"defined": True, "is_history": True, "from_fit_of": "model_intro",
                        "keys": list(HISTORY), "values": HISTORY, "epochs_param": 3, "epochs_run": 3},
            "earlier_histories": earlier or []}


FIT_FAILED = {"calls": 1, "last_call": {"x": "train_ds", "epochs": {"given_as": "int", "value": 3},
                                        "validation_data": "val_ds", "error": FIT_ERROR},
              "history": {"defined": False}}


def _df(values: dict) -> dict:
    return {"defined": True, "is_df": True, "columns": list(values), "rows": 3, "values": values}


def _figure(left: dict, right: dict) -> dict:
    def axis(series: dict) -> dict:
        return {"legend": list(series), "lines": [{"label": k, "y": v} for k, v in series.items()], "title": "", "ylabel": ""}
    return {"found": True, "suptitle": "cifar_model_intro", "axes": [axis(left), axis(right)]}


def _plot(fit: dict, plot: dict, cells: list[dict] | None = None, problems: list[dict] | None = None) -> dict:
    """Verdicts of the plot checks: tag -> (status, output)."""
    static = {"name": "nb.ipynb", "problems": problems or [],
              "cells": [{"index": c["index"], "challenge": c["challenge"], "first_line": None} for c in cells or []]}
    run = {"snapshot": {"facts": {"fit": fit, "plot": plot}, "cells": cells or []}, "outcome": "exited"}
    return {r.tag: (r.status, r.output) for r in evaluate(FIRST, static, run, tags=FIRST.tags_for("plot"))}


def _fit_reason(fit: dict) -> str:
    """What the fit checks say about this fit (the one explanation of a failed fit)."""
    _, early = keras_checks._history(checks.Context({"name": "nb.ipynb"}, {"snapshot": {"facts": {"fit": fit}}},
                                                    None, FIRST))
    assert early is not None
    return early.output


NAME_ERROR_CELL = [{"index": 14, "challenge": "plot", "status": "error",
                    "error": {"type": "NameError", "message": "name 'history_intro' is not defined", "line": 2}}]


@pytest.mark.parametrize("cells", [[], NAME_ERROR_CELL], ids=["kernel_without_cell_outcomes", "grader_with_cell_error"])
def test_plot_checks_name_the_failed_fit_first(cells):
    verdicts = _plot(FIT_FAILED, {"df": {"defined": False}, "figure": {"found": False}}, cells)
    expected = FIRST.table.PLOT_MESSAGES["needs_history"].format(reason=_fit_reason(FIT_FAILED))
    assert verdicts == {"plot.history_df": ("failed", expected), "plot.figure": ("failed", expected)}
    assert "is not defined" not in expected


def test_plot_checks_name_the_failed_fit_even_with_an_older_dataframe_and_figure():
    verdicts = _plot(FIT_FAILED, {"df": _df(HISTORY), "figure": _figure(HISTORY, HISTORY)})
    expected = FIRST.table.PLOT_MESSAGES["needs_history"].format(reason=_fit_reason(FIT_FAILED))
    assert verdicts == {"plot.history_df": ("failed", expected), "plot.figure": ("failed", expected)}


def test_unfilled_plot_blanks_come_before_the_upstream_failure():
    blank = {"kind": "blank", "cell": 14, "line": 2, "col": 40, "where": "nb.ipynb, cell 15, line 2",
             "challenge": "plot", "message": "", "code": "history_intro_df = pd.DataFrame.from_dict(_____)"}
    verdicts = _plot(FIT_FAILED, {"df": {"defined": False}, "figure": {"found": False}}, problems=[blank])
    assert {s for s, _ in verdicts.values()} == {"not_attempted"}
    assert all("nb.ipynb, cell 15, line 2" in out for _, out in verdicts.values())


def test_a_plot_cell_error_is_named_when_the_fit_worked():
    cells = [{"index": 14, "challenge": "plot", "status": "error",
              "error": {"type": "KeyError", "message": "\"['val_los'] not in index\"", "line": 7}}]
    verdicts = _plot(_fit_ok(), {"df": _df(HISTORY), "figure": {"found": False}}, cells)
    assert verdicts["plot.history_df"] == ("passed", "")
    status, output = verdicts["plot.figure"]
    assert status == "failed"
    assert output.startswith(rubric.GATE_MESSAGES["cell_error"].format(errors="nb.ipynb, cell 15, line 7: "))
    assert "not in the DataFrame" in output


def test_a_cell_that_names_its_own_place_is_named_so():
    static = {"name": "this notebook", "problems": [],
              "cells": [{"index": 7, "challenge": "plot", "first_line": None, "place": "your cell In [7]"}]}
    ctx = checks.Context(static, {"snapshot": {"facts": {}, "cells": []}})
    assert ctx.where(7, 2) == "your cell In [7], line 2"
    assert ctx.where(7, None) == "your cell In [7]"


def test_dataframe_and_figure_of_the_latest_fit_pass():
    verdicts = _plot(_fit_ok([OLDER]), {"df": _df(HISTORY), "figure": _figure(
        {k: HISTORY[k] for k in ("loss", "val_loss")}, {k: HISTORY[k] for k in ("accuracy", "val_accuracy")})})
    assert verdicts == {"plot.history_df": ("passed", ""), "plot.figure": ("passed", "")}


def test_dataframe_and_figure_made_before_the_latest_fit_say_to_rerun_the_plot_cell():
    figure = _figure({k: OLDER[k] for k in ("loss", "val_loss")}, {k: OLDER[k] for k in ("accuracy", "val_accuracy")})
    verdicts = _plot(_fit_ok([OLDER]), {"df": _df(OLDER), "figure": figure})
    assert verdicts == {"plot.history_df": ("failed", FIRST.table.PLOT_MESSAGES["stale_df"]),
                        "plot.figure": ("failed", FIRST.table.PLOT_MESSAGES["stale_figure"])}
    assert "Re-run the plot cell" in FIRST.table.PLOT_MESSAGES["stale_df"]


def test_a_dataframe_with_the_right_columns_but_other_numbers_is_not_called_wrong_columns():
    other = {k: [v * 2 for v in vs] for k, vs in HISTORY.items()}
    status, output = _plot(_fit_ok([OLDER]), {"df": _df(other), "figure": {"found": False}})["plot.history_df"]
    assert (status, output) == ("failed", FIRST.table.PLOT_MESSAGES["values_differ"])
    status, output = _plot(_fit_ok(), {"df": _df({"a": [1.0], "b": [2.0]}), "figure": {"found": False}})["plot.history_df"]
    assert (status, output) == ("failed", FIRST.table.PLOT_MESSAGES["wrong_df"].format(columns=["a", "b"]))


def test_non_finite_numbers_match_themselves():
    diverged = {**HISTORY, "loss": [1.5, None, None]}
    fit = _fit_ok()
    fit["history"] = {**fit["history"], "values": diverged}
    assert _plot(fit, {"df": _df(diverged), "figure": {"found": False}})["plot.history_df"] == ("passed", "")


# --- the self-check's challenge names (imports TensorFlow through the facts) -------------------

@pytest.mark.parametrize("name", ["Compile", " fit ", "PLOT", "overfitting\n", "Compile the model", "train (FIT) the  model"])
def test_selfcheck_accepts_harmless_variants_of_a_challenge_name(name, capsys):
    from autograder import selfcheck

    key = selfcheck.challenge_key(name, FIRST)
    assert key in FIRST.challenges
    selfcheck.hint(name)  # a kernel whose exercise nothing says: the course's first
    selfcheck.solution(name)
    out = capsys.readouterr().out
    assert FIRST.challenges[key].hint in out and FIRST.challenges[key].solution in out
    assert [r.tag for r in selfcheck.results(name, ns={})] == FIRST.tags_for(key)
    assert [r.tag for r in selfcheck.results(name, ns={}, exercise=FIRST.name)] == FIRST.tags_for(key)


@pytest.mark.parametrize("call", ["check", "hint", "solution", "results"])
@pytest.mark.parametrize("name", ["compil", "challenge 1", 3, None])
def test_selfcheck_names_the_valid_challenges_for_an_unknown_one(call, name, capsys):
    from autograder import selfcheck

    returned = getattr(selfcheck, call)(name)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1, lines
    assert all(f'"{key}"' in lines[0] for key in FIRST.challenges)
    assert repr(name) in lines[0]
    assert returned in (None, [])
    if name == "compil":
        assert "did you mean 'compile'" in lines[0]


def test_bound_figure_is_found_when_pyplot_closed_it():
    import matplotlib.pyplot as plt

    from autograder import selfcheck
    from autograder.facts.gather import Recorder

    _plot_facts = selfcheck.collectors(FIRST)["plot"]  # the exercise's collector, as the kernel loads it
    f, ax = plt.subplots(1, 2)
    ax[0].plot([1.0, 2.0], label="loss")
    plt.close("all")  # what a notebook's inline backend does after each cell
    assert _plot_facts({"f": f, "ax": ax}, Recorder())["figure"]["found"] is True
    assert _plot_facts({"axes": ax}, Recorder())["figure"]["found"] is True
    assert _plot_facts({}, Recorder())["figure"] == {"found": False}


def test_kernel_hooks_keep_the_latest_outcome_of_each_challenge_cell(monkeypatch):
    """The IPython hooks ``selfcheck.start`` registers, on a real in-process shell."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    from autograder import selfcheck

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    monkeypatch.setattr(selfcheck, "_cells", {})
    monkeypatch.setattr(selfcheck, "_exercise", None)  # not known yet: each exercise's hints are tried
    plot = (FIRST.name, "plot")
    try:
        shell.events.register("pre_run_cell", selfcheck._before_cell)
        shell.events.register("post_run_cell", selfcheck._after_cell)
        shell.run_cell("x = 1\nhistory_intro_df = {}['nope']\n")
        record = selfcheck._cells[plot]
        assert (record["status"], record["error"]["type"], record["error"]["line"]) == ("error", "KeyError", 2)
        shell.run_cell("history_intro_df = (\n")
        assert selfcheck._cells[plot]["status"] == "syntax_error"
        assert selfcheck._cells[plot]["syntax"]["where"].startswith("your cell In [")
        seen: dict = {}
        shell.user_ns["peek"] = lambda: seen.update(selfcheck._cells)
        shell.run_cell("history_intro_df = 1\npeek()")
        assert plot not in seen  # while the cell runs again, its old error is forgotten
        assert selfcheck._cells[plot]["status"] == "ok"
        shell.run_cell("y = 2")  # not a challenge cell
        assert plot in selfcheck._cells and {ch for _, ch in selfcheck._cells} == {"plot"}
        monkeypatch.setattr(selfcheck, "_exercise", FIRST)  # known: only its own hints are tried
        selfcheck._cells.clear()
        shell.run_cell("history_intro_df = 2")
        assert list(selfcheck._cells) == [plot]
    finally:
        InteractiveShell.clear_instance()


# --- every notebook in a real kernel and through the grader -----------------------------------

PLOT_LINE = "sns.lineplot(ax=axes[0], data=history_intro_df[['loss', 'val_loss']])"
REFIT = "\n# %%\nhistory_intro = model_intro.fit(x = train_ds, epochs = 10, validation_data = val_ds)\n"


def _notebooks() -> dict[str, tuple[str, set[str] | None]]:
    """name -> (jupytext percent text, the tags that must not pass; None: none may pass)."""
    from conftest import LESSON, SOLUTION
    from autograder.integrations.sampleclass import variant_text, variants

    solution = SOLUTION.read_text(encoding="utf-8")
    plot_end = "sns.lineplot(ax=axes[1], data=history_intro_df[['accuracy', 'val_accuracy']])\n"
    assert solution.count(plot_end) == 1 and solution.count(PLOT_LINE) == 1
    books = {name: (variant_text(name, FIRST), failing) for name, (_, failing) in variants(FIRST).items()}
    books["lesson_unfilled"] = (LESSON.read_text(encoding="utf-8"), None)
    # fit, plot, fit again: the DataFrame and the figure show the first run
    books["stale_plot"] = (solution.replace(plot_end, plot_end + REFIT), {"plot.history_df", "plot.figure"})
    books["plot_cell_error"] = (solution.replace(PLOT_LINE, PLOT_LINE.replace("'val_loss'", "'val_los'")),
                                {"plot.figure"})
    books["plot_syntax_error"] = (solution.replace(PLOT_LINE, PLOT_LINE[:-1]), {"plot.history_df", "plot.figure"})
    return books


RESULTS_CELL = """\
import contextlib as _contextlib, io as _io, json as _json
from autograder import exercises as _exercises, selfcheck as _selfcheck
from autograder.integrations import nbgrader_cells as _cells
_found = {}
for _challenge in _exercises.get(%r).challenges:  # the kernel finds its exercise from the notebook's names
    for _r in _selfcheck.results(_challenge):
        _out, _err = _io.StringIO(), _io.StringIO()
        with _contextlib.redirect_stdout(_out), _contextlib.redirect_stderr(_err):
            _cells.grade(_r.tag)
        _found[_r.tag] = {"status": _r.status, "output": _r.output, "stdout": _out.getvalue(), "stderr": _err.getvalue()}
print("VERDICTS " + _json.dumps({"name": %r, "verdicts": _found}))
"""


@pytest.fixture(scope="module")
def notebooks():
    return _notebooks()


def _run_in_kernel(notebooks: dict, directory) -> dict:
    """Run every notebook, in order, in one Jupyter kernel; each ends with its self-check results."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    combined = nbformat.v4.new_notebook()
    for name, (text, _) in notebooks.items():
        combined.cells.append(nbformat.v4.new_code_cell("%reset -f"))
        nb = jupytext.reads(text, fmt="py:percent")
        combined.cells += [c for c in nb.cells if c.cell_type == "code"]
        combined.cells.append(nbformat.v4.new_code_cell(RESULTS_CELL % (FIRST.name, name)))
    combined.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    env = {**os.environ, "AUTOGRADER_DATA": "sample", "AUTOGRADER_SAMPLE_SIZE": "64", "TF_CPP_MIN_LOG_LEVEL": "3",
           "MPLBACKEND": "module://matplotlib_inline.backend_inline"}  # as in Jupyter: figures close after each cell
    client = NotebookClient(combined, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(directory)}})
    client.execute(env=env)
    found = {}
    for cell in combined.cells:
        for out in cell.get("outputs", []):
            for line in out.get("text", "").splitlines() if out.get("output_type") == "stream" else []:
                if line.startswith("VERDICTS "):
                    data = json.loads(line[len("VERDICTS "):])
                    found[data["name"]] = data["verdicts"]
    return found


def _grade_all(notebooks: dict, worker, directory) -> dict:
    """The same notebooks as .ipynb submissions, graded as `autograder check` grades them."""
    import jupytext

    from autograder.grading import grade_one
    from autograder.run.runner import Limits

    found = {}
    for name, (text, _) in notebooks.items():
        path = directory / f"{name}.ipynb"
        jupytext.write(jupytext.reads(text, fmt="py:percent"), path)
        graded = grade_one(path, worker, Limits(), FIRST.points())
        found[name] = {"problem": graded.problem,
                       **{r.tag: {"status": r.status, "output": r.output} for r in graded.results}}
    return found


@pytest.fixture(scope="module")
def verdicts(notebooks, worker, tmp_path_factory) -> tuple[dict, dict]:
    """(kernel verdicts, grader verdicts) per notebook; the grader works while the kernel runs."""
    graded: dict = {}

    def grade() -> None:
        try:
            graded.update(_grade_all(notebooks, worker, tmp_path_factory.mktemp("submissions")))
        except BaseException as exc:  # re-raised below, in the test's thread
            graded["error"] = exc

    thread = threading.Thread(target=grade)
    thread.start()
    try:
        kernel = _run_in_kernel(notebooks, tmp_path_factory.mktemp("kernel"))
    finally:
        thread.join()
    if "error" in graded:
        raise graded["error"]
    assert set(kernel) == set(notebooks) == set(graded), "every notebook ran in the kernel and was graded"
    for name, found in graded.items():
        assert found.pop("problem") is None, name
    return kernel, graded


@pytest.fixture(scope="module")
def kernel_verdicts(verdicts) -> dict:
    return verdicts[0]


@pytest.fixture(scope="module")
def grader_verdicts(verdicts) -> dict:
    return verdicts[1]


_PLACE = re.compile(r"[\w.-]+\.ipynb, cell \d+|your cell In \[\d+\]")


def same_place(message: str) -> str:
    """A message with its cell named neutrally: "x.ipynb, cell 7" and "your cell In [5]" differ
    only because a notebook's position is not an execution count; the line in the cell stays."""
    return _PLACE.sub("<the cell>", message)


@pytest.mark.parametrize("name", list(_notebooks()))
def test_kernel_self_check_nbgrader_cells_and_grader_agree(name, notebooks, kernel_verdicts, grader_verdicts):
    kernel, grader = kernel_verdicts[name], grader_verdicts[name]
    assert list(kernel) == list(FIRST.checks) == list(grader)
    for tag in FIRST.checks:
        k, g = kernel[tag], grader[tag]
        assert (tag, k["status"]) == (tag, g["status"])
        assert (tag, same_place(k["output"])) == (tag, same_place(g["output"]))
        # the nbgrader test cell: the same verdict and its feedback; a failure goes to stderr,
        # which is what makes nbgrader score the cell 0
        title = FIRST.checks[tag].title
        if k["status"] == "passed":
            assert k["stderr"] == "" and k["stdout"].startswith(f"✓ {title}")
        else:
            assert k["stdout"] == "" and k["stderr"] == f"✗ {title}  [0/1]\n{k['output']}\n"
    failing = {tag for tag, v in grader.items() if v["status"] != "passed"}
    expected = notebooks[name][1]
    assert failing == (set(FIRST.checks) if expected is None else expected)


def test_after_a_failed_fit_the_plot_checks_name_the_fit_everywhere(kernel_verdicts, grader_verdicts):
    for verdicts in (kernel_verdicts["categorical_loss"], grader_verdicts["categorical_loss"]):
        reason = FIRST.table.PLOT_MESSAGES["needs_history"].format(reason=verdicts["fit.history_keys"]["output"])
        assert verdicts["plot.history_df"]["output"] == reason
        assert verdicts["plot.figure"]["output"] == reason


def test_a_plot_made_before_the_latest_fit_says_to_rerun_the_plot_cell_everywhere(kernel_verdicts, grader_verdicts):
    for verdicts in (kernel_verdicts["stale_plot"], grader_verdicts["stale_plot"]):
        assert verdicts["plot.history_df"]["output"] == FIRST.table.PLOT_MESSAGES["stale_df"]
        assert verdicts["plot.figure"]["output"] == FIRST.table.PLOT_MESSAGES["stale_figure"]
        assert all(verdicts[t]["status"] == "passed" for t in FIRST.tags_for("fit"))


def test_cell_errors_and_syntax_errors_are_placed_at_the_same_line(kernel_verdicts, grader_verdicts):
    kernel = kernel_verdicts["plot_cell_error"]["plot.figure"]["output"]
    assert re.search(r"your cell In \[\d+\], line 8: ", kernel), kernel
    assert re.search(r"plot_cell_error\.ipynb, cell \d+, line 8: ", grader_verdicts["plot_cell_error"]["plot.figure"]["output"])
    kernel = kernel_verdicts["plot_syntax_error"]["plot.history_df"]["output"]
    assert kernel.startswith("Syntax error at your cell In [") and ", line 8: " in kernel, kernel


@pytest.mark.parametrize("left, right, key, lines", [
    (list(HISTORY), ["accuracy", "val_accuracy"], "left_mixed", ["accuracy", "val_accuracy"]),
    (["loss", "val_loss"], ["accuracy", "val_accuracy", "val_loss"], "right_mixed", ["val_loss"]),
])
def test_a_panel_that_mixes_the_loss_and_the_accuracy_fails(left, right, key, lines):
    """`sns.lineplot(ax=axes[0], data=history_intro_df)` draws all four columns on the loss panel."""
    figure = _figure({k: HISTORY[k] for k in left}, {k: HISTORY[k] for k in right})
    status, output = _plot(_fit_ok(), {"df": _df(HISTORY), "figure": figure})["plot.figure"]
    assert (status, output) == ("failed", FIRST.table.PLOT_MESSAGES[key].format(lines=lines))
