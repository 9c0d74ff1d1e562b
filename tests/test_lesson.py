"""The lesson and its solution: aligned, a valid notebook, and the solution runs end to end."""
from __future__ import annotations

import json
import re

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from conftest import FIRST, LESSON, SOLUTION


def test_lesson_and_solution_differ_only_at_blanks():
    lesson = LESSON.read_text().splitlines()
    solution = SOLUTION.read_text().splitlines()
    assert len(lesson) == len(solution)
    filled = 0
    for n, (a, b) in enumerate(zip(lesson, solution), 1):
        if "_____" not in a or a.lstrip().startswith("#"):
            assert a == b, f"line {n} differs outside a blank"
            continue
        pattern = "^" + "(.+?)".join(re.escape(part) for part in a.split("_____")) + "$"
        m = re.match(pattern, b)
        assert m, f"line {n}: solution does not fill the lesson's blanks: {b!r}"
        for expr in m.groups():
            assert "_____" not in expr and expr.strip()
            compile(expr.strip(), "<blank>", "eval")  # each filling is an expression
            filled += 1
    assert filled == 18


def test_lesson_opens_as_notebook_with_exactly_the_challenges(tmp_path):
    out = tmp_path / "lesson.ipynb"
    jupytext.write(jupytext.read(LESSON), out)
    nb = nbformat.read(out, as_version=4)
    nbformat.validate(nb)
    challenges = [c.metadata.get("challenge") for c in nb.cells if c.metadata.get("challenge")]
    assert challenges == list(FIRST.challenges)
    for cell in nb.cells:
        code = "\n".join(l for l in cell.source.splitlines() if not l.lstrip().startswith("#"))
        if cell.cell_type == "code" and "_____" in code:
            assert cell.metadata.get("challenge"), f"blank outside a challenge cell: {cell.source!r}"
    compile_cell = next(c for c in nb.cells if c.metadata.get("challenge") == "compile")
    assert "_____.compile(optimizer = _____," in compile_cell.source
    assert "loss = _____" in compile_cell.source and "metrics = _____)" in compile_cell.source
    fit_cell = next(c for c in nb.cells if c.metadata.get("challenge") == "fit")
    assert "history_intro = _____.fit(x = _____," in fit_cell.source


@pytest.fixture(scope="module")
def executed_solution(tmp_path_factory):
    """The solution run as a learner runs it: a real Jupyter kernel on the offline sample."""
    nb = jupytext.read(SOLUTION)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json\n"
        "print('FACTS=' + json.dumps({'history': {k: [float(v) for v in vs] for k, vs in history_intro.history.items()},\n"
        "  'panels': [[t.get_text() for t in ax.get_legend().get_texts()] for ax in fig.get_axes()],\n"
        "  'suptitle': fig._suptitle.get_text()}))"))
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path_factory.mktemp("run"))}})
    client.execute()
    return nb


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def test_solution_history_and_figure(executed_solution):
    line = next(l for l in _stdout(executed_solution.cells[-1]).splitlines() if l.startswith("FACTS="))
    facts = json.loads(line[len("FACTS="):])
    history = facts["history"]
    assert set(history) == {"loss", "val_loss", "accuracy", "val_accuracy"}
    assert all(len(v) == 10 for v in history.values())
    assert history["loss"][-1] < history["loss"][0]
    assert facts["panels"] == [["loss", "val_loss"], ["accuracy", "val_accuracy"]]
    assert facts["suptitle"] == "cifar_model_intro"


def test_solution_passes_every_self_check(executed_solution):
    outputs = [_stdout(c) for c in executed_solution.cells if c.cell_type == "code" and "selfcheck.check(" in c.source]
    assert len(outputs) == len(FIRST.challenges)
    for out in outputs:
        assert "Correct!" in out and "✗" not in out, out
