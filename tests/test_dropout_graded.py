"""The dropout exercise's graded nbgrader course (`autograder nbgrader --graded DIR --exercise dropout`):
its release holds no answers and no use of this package, and runs in a kernel that cannot import it."""
from __future__ import annotations

import ast
import json
import re
import sys

import jupytext
import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from autograder import exercises
from autograder.judge import rubric
from autograder.integrations import standalone
from test_nbgrader import graded_cells, nbgrader_env, run
from test_nbgrader_graded import code_lines, squash, strings

DROPOUT = exercises.get("dropout")
ASSIGNMENT = DROPOUT.table.NBGRADER_ASSIGNMENT
NOTEBOOK = f"{DROPOUT.lesson.stem}.ipynb"
SAMPLE = 64  # training images the release loads in the kernel test
# The reference module's answer logic: a release draws the curves but must not carry how the answers follow.
ANSWER_CODE = ("derive_answers", "expected_answers", "narrows_gap", "training_accuracy_change", "accuracy_gap")


def challenge_sources(path) -> dict[str, str]:
    return {c.metadata["challenge"]: c.source for c in jupytext.read(path).cells if c.metadata.get("challenge")}


def solution_lines() -> set[str]:
    """Every code line of the answers (solution file and table) that the lesson's challenge cells do not give."""
    solution = challenge_sources(DROPOUT.solution).values()
    return code_lines(*solution, *(c.solution for c in DROPOUT.challenges.values())) - code_lines(
        *challenge_sources(DROPOUT.lesson).values())


def test_written_out_reference_draws_the_same_curves_without_the_answer_logic():
    import matplotlib.pyplot as plt

    code = standalone.module_cell(DROPOUT, "reference") + standalone.module_cell(DROPOUT, "figures")
    assert not re.search(r"\b(import|from)\s+autograder\b", code) and "in_grader" not in code
    assert [name for name in ANSWER_CODE if re.search(rf"\b{name}\b", code)] == []
    ns: dict = {}
    exec(compile(code, "<dropout figures>", "exec"), ns)
    ours = ns["dropout_reference_df"]("without")
    pd.testing.assert_frame_equal(ours, DROPOUT.module("figures").dropout_reference_df("without"))
    fig = ns["plot_dropout_reference"]()
    assert len(fig.axes) == 3 and fig.get_label() == ns["LESSON_FIGURE_LABEL"]
    plt.close("all")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A graded course built with our command and released by the real nbgrader."""
    course = tmp_path_factory.mktemp("dropout_graded") / "course"
    env = nbgrader_env()
    built = run([sys.executable, "-m", "autograder.cli", "nbgrader", "--graded", str(course),
                 "--exercise", DROPOUT.name], course.parent, env)
    assert built.stdout == f"{ASSIGNMENT}\n"
    run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT], course, env)
    release_path = course / "release" / ASSIGNMENT / NOTEBOOK
    return {"release": nbformat.read(release_path, as_version=4), "release_text": release_path.read_text("utf-8"),
            "source": nbformat.read(course / "source" / ASSIGNMENT / NOTEBOOK, 4)}


def test_release_holds_no_answers_and_no_use_of_this_package(course):
    released = squash("\n".join(strings(json.loads(course["release_text"]))))
    source = squash("\n".join(strings(course["source"])))
    lines = solution_lines()
    assert len(lines) >= 10
    assert all(line in source for line in lines)  # the instructor's source has them: the search can find them
    assert [line for line in lines if line in released] == []
    assert [name for name in ANSWER_CODE if re.search(rf"\b{name}\b", released)] == []
    for needle in ("grade(", "HIDDEN TESTS", "ensure_recording"):  # the hidden tests: in the source only
        assert needle in source, needle
        assert needle not in released, needle
    assert "selfcheck" not in released
    assert not re.search(r"\b(import|from)\s+autograder\b", released)
    tests = graded_cells(course["release"])
    assert len(tests) == len(DROPOUT.checks) and all(ast.parse(c.source).body == [] for c in tests)
    challenges = [c for c in course["release"].cells if c.metadata.get("challenge")]
    assert [c.metadata["challenge"] for c in challenges] == list(DROPOUT.challenges)
    assert all(rubric.BLANK in c.source for c in challenges)


def test_release_runs_where_this_package_cannot_be_imported(course, tmp_path, monkeypatch):
    """The release, its blanks filled with the solution, in a kernel that cannot import autograder."""
    block = new_code_cell(
        "import importlib.abc, sys\n"
        "class _Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'autograder':\n"
        "            raise ModuleNotFoundError(f'{name} is blocked in this test', name=name)\n"
        "sys.meta_path.insert(0, _Block())\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'autograder']")
    probe = new_code_cell(
        "import json\n"
        "try:\n    import autograder\n    blocked = False\n"
        "except ModuleNotFoundError as exc:\n    blocked = 'blocked' in str(exc)\n"
        "print(json.dumps({'blocked': blocked, 'loaded': sorted(m for m in sys.modules if m.split('.')[0] == 'autograder'),"
        " 'n_train': sum(int(b.shape[0]) for _, b in train_ds), 'intro_params': model_intro.count_params(),"
        " 'layers': [type(l).__name__ for l in model_dropout.layers],"
        " 'epochs': len(history_dropout.history['loss']), 'without': history_intro_df['accuracy'].tolist()}))")
    nb = nbformat.from_dict(course["release"])
    solution = challenge_sources(DROPOUT.solution)
    for cell in nb.cells:
        if cell.metadata.get("challenge"):
            cell.source = solution[cell.metadata["challenge"]]
    nb.cells = [block, *nb.cells, probe]
    monkeypatch.setenv("AUTOGRADER_DATA", "sample")
    monkeypatch.setenv("AUTOGRADER_SAMPLE_SIZE", str(SAMPLE))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend shows the figures
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [(n, o.ename, o.evalue) for n, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors == []
    found = json.loads(nb.cells[-1].outputs[-1].text)
    assert found == {"blocked": True, "loaded": [], "n_train": SAMPLE,
                     "intro_params": exercises.get("compile_and_train").module("model").build_model_intro().count_params(),
                     "layers": ["InputLayer", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dropout",
                                "Dense", "Dense"],
                     "epochs": 10,
                     "without": pytest.approx(DROPOUT.module("reference").run_history("without")["accuracy"])}
    figure_cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("plot_dropout_reference(")]
    assert len(figure_cells) == 1
    assert any("image/png" in o.get("data", {}) for o in figure_cells[0].outputs)
