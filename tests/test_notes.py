"""Nothing the learner wrote goes unreported: notes on what no check reports, as plain data
(grading.notes), in the text report and in the Gradescope JSON's top-level output."""
from __future__ import annotations

import jupytext
import nbformat
from nbformat.v4 import new_code_cell

from autograder.report import document as report
from autograder.judge import rubric
from autograder.judge.checks import Result
from autograder.grading import Graded, notes
from conftest import FIRST, SOLUTION

MSG = rubric.NOTE_MESSAGES
CHALLENGE_CELLS = {"compile": 3, "fit": 4, "plot": 5, "overfitting": 6}


def static(problems=(), static_notes=(), extra_cells=()) -> dict:
    cells = [{"index": i, "challenge": None, "first_line": None} for i in range(3)]
    cells += [{"index": i, "challenge": c, "first_line": None} for c, i in CHALLENGE_CELLS.items()]
    cells += [{"index": i, "challenge": None, "first_line": None} for i in extra_cells]
    return {"name": "sub.ipynb", "exercise": FIRST.name, "cells": cells, "problems": list(problems),
            "notes": list(static_notes)}


def run(statuses: dict[int, dict], outcome: str = "exited", done: bool = True, detail: dict | None = None) -> dict:
    cells = [{"index": i, "challenge": None, "status": "ok", "error": None, "line": None} for i in range(3)]
    cells += [{"index": i, "challenge": c, "status": "ok", "error": None, "line": None} for c, i in CHALLENGE_CELLS.items()]
    for index, changes in statuses.items():
        found = [c for c in cells if c["index"] == index]
        if not found:
            cells.append({"index": index, "challenge": None, "status": "ok", "error": None, "line": None})
            found = cells[-1:]
        found[0].update(changes)
    return {"snapshot": {"done": done, "cells": cells, "facts": {}}, "outcome": outcome, "detail": detail or {}}


def problem(kind: str, cell: int, line: int, challenge: str | None, message: str = "", code: str = "") -> dict:
    return {"kind": kind, "cell": cell, "line": line, "col": 1, "where": f"sub.ipynb, cell {cell + 1}, line {line}",
            "challenge": challenge, "message": message, "code": code}


def test_a_clean_run_has_no_notes():
    assert notes(static(), run({}), {"timeout": 120}) == []


def test_syntax_errors_and_blanks_in_cells_no_check_depends_on_are_notes():
    found = notes(static(problems=[
        problem("syntax", 8, 2, None, "invalid syntax (column 4)"),
        problem("blank", 1, 1, None, code="x = _____"),
        problem("syntax", 3, 1, "compile", "invalid syntax (column 1)"),  # the compile checks report this one
        problem("blank", 4, 2, "fit", code="epochs = _____"),
    ], extra_cells=[8]), run({8: {"status": "syntax_error"}}), {})
    assert found == [MSG["blank"].format(where="sub.ipynb, cell 2, line 1", code="x = _____"),
                     MSG["syntax"].format(where="sub.ipynb, cell 9, line 2", message="invalid syntax (column 4)")]


def test_errors_raised_in_cells_no_check_depends_on_are_explained():
    error = {"type": "NameError", "message": "name 'histroy' is not defined", "line": 3}
    found = notes(static(extra_cells=[9]), run({9: {"status": "error", "error": error},
                                               4: {"status": "error", "error": {**error, "line": 1}}}), {})
    assert len(found) == 1  # the error in the fit cell is the fit checks' to explain
    assert found[0].startswith("sub.ipynb, cell 10, line 3: this cell raised an error: ")
    assert "`histroy`" in found[0]


def test_skipped_commands_and_magics_are_notes_in_cell_order():
    s = static(static_notes=[
        {"kind": "shell_cell", "cell": 9, "line": 1, "where": "sub.ipynb, cell 10, line 1", "code": "%%bash",
         "detail": {"name": "bash"}},
        {"kind": "shell", "cell": 1, "line": 2, "where": "sub.ipynb, cell 2, line 2", "code": "!pip install x",
         "detail": {}},
        {"kind": "timeit_scope", "cell": 4, "line": 1, "where": "sub.ipynb, cell 5, line 1", "code": "%%timeit",
         "detail": {"magic": "%%timeit", "time": "%%time", "names": ["history_intro", "h"]}},
        {"kind": "unknown_cell", "cell": 8, "line": 1, "where": "sub.ipynb, cell 9, line 1", "code": "%%foo",
         "detail": {"name": "foo"}},
    ], extra_cells=[8, 9])
    usage = {"type": "UsageError", "message": "Cell magic `%%foo` not found.", "line": 1}
    found = notes(s, run({8: {"status": "error", "error": usage}}), {})
    assert found == [
        MSG["shell"].format(where="sub.ipynb, cell 2, line 2", code="!pip install x"),
        MSG["timeit_scope"].format(where="sub.ipynb, cell 5, line 1", magic="%%timeit", time="%%time",
                                   names="`history_intro` and `h`", is_are="are"),
        MSG["unknown_cell"].format(where="sub.ipynb, cell 9, line 1", name="foo"),  # not also as an error
        MSG["shell_cell"].format(where="sub.ipynb, cell 10, line 1", name="bash"),
    ]


def test_a_limit_after_every_check_names_the_limit_the_cell_and_the_line():
    r = run({12: {"status": "running", "line": 4}}, outcome="timeout", done=False)
    [found] = notes(static(extra_cells=[12]), r, {"timeout": 45, "memory": 2**30})
    assert found == MSG["limit"].format(
        reason="the time limit of 45 s was reached", running=" while running sub.ipynb, cell 13, line 4",
        consequence=MSG["limit_after_checks"])


def test_a_limit_before_the_checks_says_they_could_not_be_checked():
    r = run({5: {"status": "running", "line": 2}}, outcome="memory", done=False)
    r["snapshot"]["cells"] = [c for c in r["snapshot"]["cells"] if c["index"] <= 5]
    [found] = notes(static(), r, {"timeout": 120, "memory": 2**30})
    assert "the memory limit of 1 GB was reached while running sub.ipynb, cell 6, line 2" in found
    assert found.endswith(MSG["limit_before_checks"])


def test_an_early_exit_output_cap_and_restored_file_are_notes():
    r = run({10: {"status": "running"}}, outcome="exited", done=False,
            detail={"output_bytes": 5000, "submission_file": "the submission file was changed by the run and has been restored"})
    found = notes(static(extra_cells=[10]), r, {"timeout": 120, "memory": 2**30, "output": 4096})
    assert found[0].startswith("The run ended early: the submission's process ended early")
    assert "while running sub.ipynb, cell 11." in found[0]
    assert found[1] == MSG["output_truncated"].format(size="4 KB")
    assert found[2] == "The submission file was changed by the run and has been restored."


def graded_with(notes_: list[str], **kwargs) -> Graded:
    results = [Result(tag, c.title, c.challenge, "passed", c.points, c.points, "") for tag, c in FIRST.checks.items()]
    return Graded("sub.ipynb", results, notes=notes_, exercise=FIRST.name, **kwargs)


def test_notes_are_in_the_text_report_and_the_gradescope_output():
    found = ["sub.ipynb, cell 2, line 1: `!pip install x` was not run: the grader runs no shell commands."]
    text = report.text(graded_with(found))
    assert "Notes:\n  - sub.ipynb, cell 2, line 1: `!pip install x` was not run:" in text
    assert text.index("Notes:") < text.index("Score: 13/13")
    doc = report.gradescope(graded_with(found))
    assert doc["output"] == "Notes:\n\n- " + found[0]
    assert "output" not in report.gradescope(graded_with([]))
    assert "Notes:" not in report.text(graded_with([]))



def test_a_file_that_is_not_this_lesson_says_so_first():
    """A run of an unrelated file fails every check; the first note says why, in the exercise's words."""
    data = dict(static(problems=[problem("syntax", 8, 2, None, "invalid syntax (column 4)")], extra_cells=[8]),
                not_lesson=True)
    found = notes(data, run({8: {"status": "syntax_error"}}), {})
    assert found[0] == FIRST.table.NOT_LESSON.format(name="`sub.ipynb`") and "not a submission of this lesson" in found[0]
    assert len(found) == 2 and found[1].startswith("sub.ipynb, cell 9, line 2: ")
    assert notes(dict(data, not_lesson=False), run({8: {"status": "syntax_error"}}), {}) == found[1:]


def test_the_static_pass_tells_a_lesson_from_an_unrelated_file(tmp_path):
    """Plain reads, no run: the lesson, the solution and a file that only answers one challenge are
    this lesson's; a script of another course and a notebook with one unrelated cell are not, for
    every exercise they could be read as."""
    from autograder import exercises
    from autograder.grading import static_summary
    from autograder.read.source import read_submission

    def summary(name: str, text: str, exercise=None) -> dict:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return static_summary(read_submission(path, exercise))

    for each in exercises.all_exercises():
        assert summary(f"{each.name}_lesson.py", each.lesson.read_text(encoding="utf-8"))["not_lesson"] is False
        assert summary(f"{each.name}_solution.py", each.solution.read_text(encoding="utf-8"))["not_lesson"] is False
        assert summary("numbers.py", "import numpy as np\nprint(np.arange(3))\n", each)["not_lesson"] is True
    only_compile = "# %%\nmodel_intro.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])\n"
    assert summary("only_compile.py", only_compile)["not_lesson"] is False
    notebook = nbformat.v4.new_notebook(cells=[new_code_cell("x = 1")])
    assert summary("other.ipynb", nbformat.writes(notebook))["not_lesson"] is True


def test_the_class_report_lists_the_files_that_are_not_this_lesson():
    from autograder.report import classreport

    note = FIRST.table.NOT_LESSON.format(name="`sub.ipynb`")
    stranger, student = report.gradescope(graded_with([note], not_lesson=True)), report.gradescope(graded_with([]))
    assert stranger["extra_data"]["not_lesson"] is True and "not_lesson" not in student["extra_data"]
    stranger["extra_data"]["submission"] = "uploads/homework3.py"
    text = classreport.markdown(classreport.summarise([stranger, student]), [stranger, student])
    assert "## Submissions that are not this lesson" in text
    assert text.split("## Submissions that are not this lesson")[1].count("\n- ") == 1
    assert "- uploads/homework3.py" in text
    alone = classreport.markdown(classreport.summarise([student]), [student])
    assert "not this lesson" not in alone

# --- through the real worker ---------------------------------------------------------------------

def test_notes_through_the_worker_syntax_error_and_a_loop_after_the_last_challenge(grade):
    from autograder.run.runner import Limits

    nb = jupytext.read(SOLUTION)
    nb.cells += [new_code_cell("print('the end'"),  # no check depends on it: a note, no lost points
                 new_code_cell("extra = _____"),
                 new_code_cell("x = 1\nwhile True:\n    pass")]
    n = len(nb.cells)
    # A correct submission needs a few seconds: 30 s is well over 10x that, and the loop never ends.
    graded = grade(nbformat.writes(nb), suffix=".ipynb", limits=Limits(timeout=30))
    assert graded.score == graded.max_score == 13 and graded.run["outcome"] == "timeout"
    syntax, blank, limit = graded.notes
    assert syntax.startswith(f"submission.ipynb, cell {n - 2}, line 1: syntax error: ") and "did not run" in syntax
    assert blank == MSG["blank"].format(where=f"submission.ipynb, cell {n - 1}, line 1", code="extra = _____")
    assert limit.startswith("The run ended early: the time limit of 30 s was reached while running "
                            f"submission.ipynb, cell {n}, line ")
    assert int(limit.split(f"cell {n}, line ")[1].split(".")[0]) in (2, 3)
    assert limit.endswith(MSG["limit_after_checks"])
    assert limit in report.text(graded).replace("\n    ", " ")
    assert report.gradescope(graded)["output"].endswith("- " + limit)


def test_an_unrelated_file_is_run_and_its_first_note_says_it_is_not_this_lesson(grade):
    graded = grade("import math\nprint(math.pi)\n", name="homework3")
    assert graded.score == 0 and graded.run["outcome"] == "exited" and graded.problem is None
    assert graded.notes[0] == FIRST.table.NOT_LESSON.format(name="`homework3.py`") and graded.not_lesson
    text = report.text(graded).replace("\n    ", " ")
    assert "`homework3.py` is not a submission of this lesson" in text
