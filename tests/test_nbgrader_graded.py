"""The graded nbgrader course (`autograder nbgrader --graded`): a release that runs without this
package and holds no answers, hidden tests that the real nbgrader restores at autograde time."""
from __future__ import annotations

import ast
import csv
import json
import re
import sys
from types import SimpleNamespace

import jupytext
import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from autograder import data, figures, model, selfcheck
from autograder.integrations import nbgrader_kernel
from autograder.judge import rubric
from autograder.integrations import standalone
from autograder.facts.gather import Recorder
from conftest import FIRST, LESSON, SOLUTION
from autograder.integrations.nbgrader_course import CONFIG_NAME, build_course, source_notebook
from test_data import _write_fake_cifar10, keras_home  # noqa: F401 (a fixture)
from test_nbgrader import (ASSIGNMENT, LOSS_FEEDBACK, NOTEBOOK, PARTIAL_FAILS, PARTIAL_SCORE, TOTAL,
                           autograde_and_export, graded_cells, nbgrader_env, run, submission, submit)

SAMPLE = 64  # training images in the sample the standalone release loads in these tests


def strings(obj) -> list[str]:
    """Every string in a JSON-like tree (cell sources, outputs and metadata alike)."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in [k, *strings(v)]]
    if isinstance(obj, list):
        return [s for v in obj for s in strings(v)]
    return []


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def code_lines(*texts: str) -> set[str]:
    return {squash(line).strip() for text in texts for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")}


def solution_lines() -> set[str]:
    """Every code line of the answers (the rubric's solutions and the solution file's challenge
    cells) that the lesson's challenge cells do not give, e.g. not ``fig, axes = plt.subplots(1, 2)``."""
    solution = [c.source for c in jupytext.read(SOLUTION).cells if c.metadata.get("challenge")]
    lesson = [c.source for c in jupytext.read(LESSON).cells if c.metadata.get("challenge")]
    return code_lines(*solution, *(c.solution for c in FIRST.challenges.values())) - code_lines(*lesson)


def rubric_texts() -> set[str]:
    """Hints, feedback messages and explanations of the rubric, cut at their {placeholders}."""
    table = FIRST.table
    tables = [table.OPTIMIZER_MESSAGES, table.LOSS_MESSAGES, table.METRICS_MESSAGES, table.FIT_MESSAGES,
              table.PLOT_MESSAGES, table.ANSWER_EXPLANATIONS, rubric.ANSWER_MESSAGES]
    texts = [*(c.hint for c in FIRST.challenges.values()), *(m for t in tables for m in t.values())]
    parts = {squash(part).strip() for text in texts for part in re.split(r"\{[^}]*\}", text) if len(part.strip()) >= 25}
    # a test cell shows its check's title, e.g. "The model was trained for 10 epochs"
    return {part for part in parts if not any(part in check.title for check in FIRST.checks.values())}


# --- writing the package's modules out as notebook code ---------------------------------------------

def run_code(*keys: str) -> dict:
    ns: dict = {}
    for key in keys:
        exec(compile(standalone.module_cell(FIRST, key), f"<{key}>", "exec"), ns)
    return ns


def test_written_out_data_code_is_the_loader(monkeypatch):
    ns = run_code("data")
    for (a, b) in zip(ns["make_sample"](40, 20, seed=3), data.make_sample(40, 20, seed=3)):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    monkeypatch.setenv("AUTOGRADER_SAMPLE_SIZE", "30")
    train, val = ns["load_datasets"]()  # AUTOGRADER_DATA=sample (conftest)
    assert sum(int(y.shape[0]) for _, y in train) == 30 and sum(int(y.shape[0]) for _, y in val) == 15
    monkeypatch.setenv("AUTOGRADER_DATA", "nonsense")
    with pytest.raises(ValueError, match="Unknown data source 'nonsense'"):
        ns["load_datasets"]()


def test_written_out_data_code_reads_the_real_cifar10_and_falls_back_offline(keras_home, monkeypatch, capsys):
    from keras.src.utils import file_utils

    monkeypatch.delenv("AUTOGRADER_SAMPLE_SIZE", raising=False)  # earlier tests may have set it (nbgrader's config)
    ns = run_code("data")
    train, val = ns["load_datasets"]("auto")  # no cache, no network
    assert "CIFAR-10 unavailable" in capsys.readouterr().err
    assert sum(int(y.shape[0]) for _, y in train) == data.SAMPLE_SIZE
    _write_fake_cifar10(keras_home)
    monkeypatch.setattr(file_utils, "validate_file", lambda *a, **k: True)  # a fake archive's checksum
    ours, theirs = ns["load_datasets"]("cifar10", batch_size=1000), data.load_datasets("cifar10", batch_size=1000)
    for a, b in zip(ours, theirs):
        assert int(a.cardinality()) == int(b.cardinality()) and int(a.cardinality()) in (40, 10)
        (xa, ya), (xb, yb) = next(iter(a)), next(iter(b))
        np.testing.assert_array_equal(xa.numpy(), xb.numpy())
        np.testing.assert_array_equal(ya.numpy(), yb.numpy())


def test_written_out_model_code_builds_the_same_model():
    ns = run_code("data", "model")
    ours, theirs = ns["build_model_intro"](), model.build_model_intro()
    assert ours.name == theirs.name == "cifar_model_intro"
    assert ours.count_params() == theirs.count_params()
    assert [type(l).__name__ for l in ours.layers] == [type(l).__name__ for l in theirs.layers]


def test_written_out_figures_embed_their_data_and_keep_the_lesson_label():
    import matplotlib.pyplot as plt

    code = standalone.module_cell(FIRST, "figures")
    assert "json" not in code and "read_resource" not in code and "in_grader" not in code
    # the label the package gives the lessons' figures, written in as a literal
    assert f"LESSON_FIGURE_LABEL = {figures.LESSON_FIGURE_LABEL!r}" in code
    ns = run_code("figures")
    fig = ns["plot_reference_curves"]()
    assert fig.get_label() == figures.LESSON_FIGURE_LABEL
    reference = FIRST.module("reference").load_reference_history()
    drawn = [list(l.get_ydata()) for ax in fig.axes for l in ax.get_lines()]
    assert all(any(y == pytest.approx(reference[key]) for y in drawn) for key in reference)
    ax = ns["plot_learning_rates"]()
    assert [l.get_label() for l in ax.get_lines()][:3] == list(figures.load_lr_curves()["curves"])
    plt.close("all")


def test_module_code_refuses_to_leave_a_use_of_the_package(monkeypatch):
    with pytest.raises(ValueError, match="still uses in_grader"):
        standalone._check("def f():\n    return in_grader()\n", "x.py", {"in_grader"})
    with pytest.raises(ValueError, match="still imports autograder"):
        standalone._check("from autograder.data import load_datasets\n", "x.py", set())
    # figures.py guarded by a call the writer no longer recognises: refused, not shipped broken
    monkeypatch.setattr(standalone, "module_code", lambda *a, **k: "def f():\n    return load_lr_curves()\n")
    with pytest.raises(ValueError, match="figures.py still uses load_lr_curves"):
        standalone.written_code(FIRST, "figures")
    # a name imported from the package that is not a constant there is refused too
    monkeypatch.setattr(standalone, "module_code", lambda *a, **k: "def f():\n    return read_resource('x')\n")
    with pytest.raises(ValueError, match="figures.py still uses read_resource"):
        standalone.written_code(FIRST, "figures")


def test_package_imports_knows_the_names_and_the_constants_it_can_write_in():
    figures_module = f"{FIRST.package}.figures"
    bound, constants = standalone.package_imports(figures_module)
    assert {"LESSON_FIGURE_LABEL", "in_grader", "load_reference_history", "read_resource"} <= bound
    assert {name: value for name, (value, _) in constants.items()} == {"LESSON_FIGURE_LABEL": figures.LESSON_FIGURE_LABEL}
    # the model's names of the data module come from the data cell written out before it
    bound, constants = standalone.package_imports(f"{FIRST.package}.model", provided={"autograder.data"})
    assert bound == set() and constants == {}


def test_an_exercise_without_a_standalone_entry_cannot_be_released_graded(monkeypatch):
    monkeypatch.delattr(FIRST.table, "STANDALONE")
    with pytest.raises(ValueError, match=f"exercise {FIRST.name} cannot be released as a graded course"):
        source_notebook(graded=True, exercise=FIRST)


def test_lesson_rewriter_drops_the_self_check_and_refuses_what_it_cannot_write_out():
    rewriter = standalone.LessonRewriter(FIRST)
    cells = rewriter.code("import pandas as pd\nfrom autograder import selfcheck\n"
                          "from autograder.model import build_model_intro\n\nselfcheck.start()\n", "cell 1")
    assert cells == [("lesson", "import pandas as pd"), ("data", standalone.module_cell(FIRST, "data")),
                     ("model", standalone.module_cell(FIRST, "model"))]
    assert rewriter.code('selfcheck.check("fit")\n# selfcheck.hint("fit")\n', "cell 2") == []
    assert rewriter.code("from autograder import figures\nfigures.plot_reference_curves()\nplt.show()", "cell 3") == \
        [("lesson", "plot_reference_curves()\nplt.show()"), ("figures", standalone.module_cell(FIRST, "figures"))]
    assert rewriter.code("from autograder.data import load_datasets", "cell 3b") == []  # written out already
    assert rewriter.code("# just a comment", "cell 4") == [("lesson", "# just a comment")]
    with pytest.raises(ValueError, match=r"cell 5: `import autograder.data` cannot be written out"):
        rewriter.code("import autograder.data", "cell 5")
    with pytest.raises(ValueError, match=r"cell 6: the graded release cannot write out `from autograder.judge.checks import evaluate`"):
        rewriter.code("from autograder.judge.checks import evaluate", "cell 6")
    with pytest.raises(ValueError, match="cell 7: uses selfcheck"):
        rewriter.code("print(selfcheck.results('fit'))\nx = selfcheck", "cell 7")


def test_lesson_markdown_loses_the_self_check_sentences():
    text = "Intro.\n\nFill in every `_____`. After each, a `selfcheck.check(...)` cell\ntells you. Run it.\n\nEnd."
    assert standalone.lesson_markdown(text) == f"Intro.\n\nFill in every `_____`. Run it. {standalone.GRADED_NOTE}\n\nEnd."
    assert standalone.lesson_markdown("`selfcheck.hint(...)` helps.") == standalone.GRADED_NOTE
    assert standalone.lesson_markdown("No self-check here.") == "No self-check here."


def test_ensure_recording_names_the_fix_when_the_kernel_does_not_record(monkeypatch):
    monkeypatch.setattr(selfcheck, "_recorder", Recorder())
    with pytest.raises(RuntimeError, match=re.escape(nbgrader_kernel.KERNEL_ARGUMENT)):
        nbgrader_kernel.ensure_recording()
    selfcheck._recorder._installed = True
    nbgrader_kernel.ensure_recording()


# --- the graded source notebook ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded_source():
    return source_notebook(graded=True, exercise=FIRST)


def test_graded_test_cells_are_hidden_tests_around_the_same_check(graded_source):
    from nbgrader.preprocessors import ClearHiddenTests

    tests = graded_cells(graded_source)
    assert len(tests) == len(FIRST.checks)
    for cell, (tag, check) in zip(tests, FIRST.checks.items()):
        assert f"grade({tag!r}, points={float(check.points)!r}, exercise={FIRST.name!r})" in cell.source
        visible = ClearHiddenTests().preprocess_cell(nbformat.from_dict(cell), {}, 0)[0].source
        assert "grade(" not in visible and ast.parse(visible).body == []  # comments only: harmless
        assert visible.startswith(f"# Autograded test (1 point): {check.title}\n")


def test_graded_given_cells_need_only_the_lessons_libraries(graded_source):
    given = [c for c in graded_source.cells if not c.metadata.nbgrader.grade and not c.metadata.nbgrader.solution]
    code = "\n".join(c.source for c in given if c.cell_type == "code")
    imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(ast.parse(code)) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"functools", "os", "sys", "keras", "numpy", "tensorflow", "pandas", "matplotlib", "seaborn"}
    assert "selfcheck" not in "\n".join(c.source for c in given)
    assert sum(c.metadata.get("jupyter", {}).get("source_hidden", False) for c in given) == 3  # data, model, figures


def test_formative_and_graded_share_one_config_that_starts_the_recorder(tmp_path, monkeypatch):
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    formative = build_course(tmp_path / "course", "week5", exercise=FIRST)
    graded = build_course(tmp_path / "course", "week5_graded", graded=True, exercise=FIRST)
    assert graded.written == [graded.notebook]  # same config: a course can hold both kinds
    assert build_course(tmp_path / "course", "week5_graded", graded=True, exercise=FIRST).written == []  # idempotent
    assert formative.notebook.read_text() != graded.notebook.read_text()
    for var in ("PATH", "TF_CPP_MIN_LOG_LEVEL", "AUTOGRADER_DATA", "AUTOGRADER_SAMPLE_SIZE"):
        monkeypatch.setenv(var, __import__("os").environ.get(var, ""))
    cfg = PyFileConfigLoader(CONFIG_NAME, path=str(tmp_path / "course")).load_config()
    assert Execute(config=cfg).extra_arguments == [nbgrader_kernel.KERNEL_ARGUMENT]


# --- the real nbgrader, end to end ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Build a graded course with our command, release it, submit three notebooks, autograde them."""
    course = tmp_path_factory.mktemp("graded") / "course"
    env = nbgrader_env()
    nbgrader = [sys.executable, "-m", "nbgrader"]
    built = run([sys.executable, "-m", "autograder.cli", "nbgrader", "--graded", str(course), "--exercise", FIRST.name],
                course.parent, env)
    assert built.stdout == f"{ASSIGNMENT}\n"
    run([*nbgrader, "generate_assignment", ASSIGNMENT], course, env)
    release_path = course / "release" / ASSIGNMENT / NOTEBOOK
    release = nbformat.read(release_path, as_version=4)
    students = {
        "full": submission(release, fill=True),
        # wrong loss (so fit fails too) and a wrong answer; and the visible part of a failing
        # hidden test replaced by a value that would earn its point if nbgrader did not restore it
        "partial": submission(release, fill=True, replace={
            "'sparse_categorical_crossentropy'": "'categorical_crossentropy'",
            "is_overfitting = True": "is_overfitting = False"},
            tests={"overfitting-is_overfitting": ("1.0", {})}),
        "untouched": release,
    }
    submit(course, students)
    seconds = autograde_and_export(course, env)
    print(f"\nautograde of {len(students)} graded notebooks: {seconds:.1f} s")
    run([*nbgrader, "generate_feedback", ASSIGNMENT, "--student", "partial"], course, env)
    with open(course / "grades.csv", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    return SimpleNamespace(path=course, release=release, release_text=release_path.read_text("utf-8"),
                           source=nbformat.read(course / "source" / ASSIGNMENT / NOTEBOOK, 4), rows=rows,
                           autograded={s: nbformat.read(course / "autograded" / s / ASSIGNMENT / NOTEBOOK, 4)
                                       for s in students},
                           feedback=(course / "feedback" / "partial" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text("utf-8"))


def test_release_holds_no_answers_hints_or_calls_of_this_package(course):
    released = squash("\n".join(strings(json.loads(course.release_text))))
    source = squash("\n".join(strings(course.source)))
    lines, texts = solution_lines(), rubric_texts()
    assert len(lines) >= 12 and len(texts) >= 30
    assert all(line in source for line in lines)  # the instructor's source has them: the search can find them
    assert [line for line in lines if line in released] == []
    assert [text for text in texts if text in released] == []
    assert "sparse_categorical_accuracy" not in released  # an accepted metric the lesson never names
    for needle in ("grade(", "selfcheck", "nbgrader_cells", "HIDDEN TESTS", "ensure_recording"):
        assert needle in source or needle == "selfcheck", needle
        assert needle not in released, needle
    assert not re.search(r"\b(import|from)\s+autograder\b", released)
    tests = graded_cells(course.release)
    assert len(tests) == 13 and all(ast.parse(c.source).body == [] for c in tests)
    challenges = [c for c in course.release.cells if c.metadata.get("challenge")]
    assert len(challenges) == 4 and all(rubric.BLANK in c.source for c in challenges)


def test_autograde_full_partial_zero(course):
    assert PARTIAL_SCORE == 6
    scores = {s: (float(r["score"]), float(r["max_score"])) for s, r in course.rows.items()}
    assert scores == {"full": (TOTAL, TOTAL), "partial": (PARTIAL_SCORE, TOTAL), "untouched": (0.0, TOTAL)}


def test_autograde_restores_the_hidden_tests_and_gives_the_same_feedback(course):
    from nbgrader.utils import determine_grade

    failing = {t.replace(".", "-") for t in PARTIAL_FAILS}
    for student, nb in course.autograded.items():
        for cell in graded_cells(nb):
            gid = cell.metadata.nbgrader.grade_id
            assert "### BEGIN HIDDEN TESTS" in cell.source and "grade(" in cell.source, (student, gid)
            passed = student == "full" or (student == "partial" and gid not in failing)
            # as in the formative course: a pass on stdout, a failure and its feedback on stderr
            kinds = {o.output_type + ("/" + o.name if o.output_type == "stream" else "") for o in cell.outputs}
            assert kinds == {"stream/stdout" if passed else "stream/stderr"}, (student, gid, cell.outputs)
            text = "".join(o.text for o in cell.outputs)
            assert text.startswith("✓" if passed else "✗"), (student, gid, text)
            points = cell.metadata.nbgrader.points
            assert determine_grade(cell) == (points if passed else 0, points)
    untouched_fit = next(c for c in graded_cells(course.autograded["untouched"]) if c.metadata.nbgrader.grade_id == "fit-epochs")
    assert "_____" in "".join(o.text for o in untouched_fit.outputs)  # "not attempted: fill in the blanks"
    assert LOSS_FEEDBACK in course.feedback
    assert "✗ The loss is sparse categorical cross-entropy  [0/1]" in course.feedback


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
        "x, y = next(iter(train_ds))\n"
        "print(json.dumps({'blocked': blocked, 'loaded': sorted(m for m in sys.modules if m.split('.')[0] == 'autograder'),"
        " 'n_train': sum(int(b.shape[0]) for _, b in train_ds), 'first_sum': float(x.numpy().sum()),"
        " 'labels': y.numpy().tolist(), 'params': model_intro.count_params(),"
        " 'epochs': len(history_intro.history['loss'])}))")
    nb = submission(course.release, fill=True)
    nb.cells = [block, *nb.cells, probe]
    monkeypatch.setenv("AUTOGRADER_DATA", "sample")
    monkeypatch.setenv("AUTOGRADER_SAMPLE_SIZE", str(SAMPLE))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend shows the figures
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [(n, o.ename, o.evalue) for n, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors == []
    found = json.loads(nb.cells[-1].outputs[-1].text)
    train, _ = data.load_datasets()  # the package's own loader, same settings
    x, y = next(iter(train))
    assert found == {"blocked": True, "loaded": [], "n_train": SAMPLE, "first_sum": pytest.approx(float(x.numpy().sum())),
                     "labels": y.numpy().tolist(), "params": model.build_model_intro().count_params(), "epochs": 10}
    figure_cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("plot_")]
    assert [c.source.split("(")[0] for c in figure_cells] == ["plot_learning_rates", "plot_reference_curves"]
    assert all(any("image/png" in o.get("data", {}) for o in c.outputs) for c in figure_cells)
