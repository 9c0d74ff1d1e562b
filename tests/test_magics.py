"""IPython semantics for magics and shell escapes: the static pre-pass on plain strings, grading
through the real worker, the in-kernel self-check's blanks, and the same scores as real nbgrader."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
import textwrap

import jupytext
import nbformat
import pytest
from nbformat.v4 import new_code_cell

from autograder.judge import rubric
from conftest import FIRST, SOLUTION
from autograder.read.source import parse_cell, read_submission, split_cell_magics
from conftest import by_tag

FIT = "history_intro = model_intro.fit(x = train_ds,\n                          epochs = 10,\n                          validation_data = val_ds)"
FIT_ONE_LINE = "history_intro = model_intro.fit(x = train_ds, epochs = 10, validation_data = val_ds)"
COMPILE_HEAD = "# compile the model\n"
PLOT_HEAD = "# convert the model history to a dataframe for plotting\n"
TOTAL = sum(c.points for c in FIRST.checks.values())


# --- the pre-pass, on plain strings ----------------------------------------------------------

@pytest.mark.parametrize("source, python, magics", [
    ("%%time\nx = 1\n", "\nx = 1\n", [("time", "python", 1)]),
    ("\n\n%%time\nx = 1\n", "\n\n\nx = 1\n", [("time", "python", 3)]),  # empty lines before: still the magic
    ("  %%time\n  x = 1\n", "\nx = 1\n", [("time", "python", 1)]),  # IPython dedents the cell first
    ("%%capture out\n%%time\nx = 1\n", "\n\nx = 1\n", [("capture", "python", 1), ("time", "python", 2)]),
    ("%%timeit -n1 -r1 a = 1\nb = a\n", "a = 1\nb = a\n", [("timeit", "python", 1)]),  # setup on its own line
    ("%%prun -s cumtime f()\ng()\n", "f()\ng()\n", [("prun", "python", 1)]),
    ("%%bash\necho _____\n", "", [("bash", "shell", 1)]),
    ("%%writefile helper.py\nx = 1\n", "", [("writefile", "shell", 1)]),
    ("%%html\n<b>_____</b>\n", "", [("html", "quiet", 1)]),
    ("%%foo\nx = 1\n", "", [("foo", "unknown", 1)]),
    ("# a comment first\n%%time\nx = 1\n", None, []),  # not the first line: no cell magic for IPython either
])
def test_cell_magic_pre_pass(source, python, magics):
    found, code = split_cell_magics(source)
    assert [(m["name"], m["kind"], m["line"]) for m in found] == magics
    if python is not None:
        assert code == python
        assert len(code.splitlines()) <= len(source.splitlines())


def test_cell_magic_arguments_as_ipython_parses_them():
    [capture], _ = split_cell_magics("%%capture --no-stderr log\nx = 1\n")
    assert (capture["output"], capture["stdout"], capture["stderr"], capture["display"]) == ("log", True, False, True)
    [time], code = split_cell_magics("%%time x = 1\ny = 2\n")
    assert time["error"] == "Can't use statement directly after '%%time'!" and code == ""
    [bad], _ = split_cell_magics("%%capture a b\nx = 1\n")
    assert "unrecognized arguments: b" in bad["error"]
    [unknown], _ = split_cell_magics("%%foo\nx = 1\n")
    assert unknown["error"] == "Cell magic `%%foo` not found."


def test_blanks_and_syntax_errors_inside_magics_keep_the_cells_lines():
    p = parse_cell("%%time\nhistory_intro = model_intro.fit(x = _____,\n    epochs = 10)\n")
    assert p.blanks == [(2, 37)] and p.syntax == []
    p = parse_cell("%time history_intro = _____.fit(x = train_ds)\n")
    assert p.blanks == [(1, 23)]
    p = parse_cell("x = 1\nt = %time f(_____)\n")
    assert p.blanks == [(2, 13)]
    p = parse_cell("%timeit -n 3 y = f(x, _____)\n")
    assert p.blanks == [(1, 23)]
    p = parse_cell("%time history_intro = model_intro.fit(x = (\n")
    assert [(line, col) for line, col, _ in p.syntax] == [(1, 43)]
    p = parse_cell("%%time\nx = (1,\n")
    assert [line for line, _, _ in p.syntax] == [2]
    # a blank in a shell command or a display magic is not a blank of the exercise
    assert parse_cell("!echo _____\n").blanks == [] and parse_cell("%%bash\necho _____\n").blanks == []


def test_ipython_transformed_input_is_read_the_same():
    """IPython's `In` holds cells as transformed code: the magic bodies are still found."""
    p = parse_cell("get_ipython().run_cell_magic('time', '', 'x = 1\\ny = _____\\n')\n")
    assert p.blanks == [(3, 5)]
    p = parse_cell("get_ipython().run_line_magic('time', 'x = _____')\n")
    assert [line for line, _ in p.blanks] == [1]


def test_skipped_commands_and_magics_are_found_with_their_lines():
    p = parse_cell(textwrap.dedent("""\
        !pip install tensorflow
        files = !ls
        %pip install seaborn
        %matplotlib inline
        %config InlineBackend.figure_format = 'retina'
        %nosuch magic
        x = 1
        %%time
        %timeit -n1 y = x
        %cd /tmp
        """))
    assert [(kind, line) for kind, line, _ in p.uses] == [
        ("shell", 1), ("shell", 2), ("shell_magic", 3), ("unknown_line", 6), ("misplaced_cell_magic", 8),
        ("timeit_scope", 9), ("shell_magic", 10)]
    assert p.uses[5][2]["names"] == ["y"]
    assert [(kind, line) for kind, line, _ in parse_cell("%%sh\nls\n").uses] == [("shell_cell", 1)]
    assert [(kind, line) for kind, line, _ in parse_cell("\n%%R\nx <- 1\n").uses] == [("unknown_cell", 2)]
    assert parse_cell("%%timeit\nglobal g\ng = 1\n").uses == []  # a global is kept, as in IPython


def test_every_ipython_magic_has_a_kind_in_the_table():
    """The table covers IPython's own list (asked of a real shell, in a process of its own)."""
    script = ("import json; from IPython.core.interactiveshell import InteractiveShell as S; "
              "print(json.dumps({k: sorted(v) for k, v in S.instance().magics_manager.lsmagic().items()}))")
    listed = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                       check=True, timeout=120).stdout)
    assert set(listed["cell"]) <= set(rubric.CELL_MAGICS), set(listed["cell"]) - set(rubric.CELL_MAGICS)
    assert set(listed["line"]) <= set(rubric.LINE_MAGICS), set(listed["line"]) - set(rubric.LINE_MAGICS)
    assert set(rubric.CELL_MAGICS.values()) | set(rubric.LINE_MAGICS.values()) == {"python", "quiet", "shell"}


def test_notebook_and_script_places(tmp_path):
    nb = jupytext.read(SOLUTION)
    nb.cells.append(new_code_cell("x = 1\n!pip install foo"))
    nb.cells.append(new_code_cell("%%bash\necho hi"))
    ipynb = tmp_path / "sub.ipynb"
    nbformat.write(nb, ipynb)
    notes = read_submission(ipynb).notes
    n = len(nb.cells)
    assert [(x.kind, x.where, x.code) for x in notes] == [
        ("shell", f"sub.ipynb, cell {n - 1}, line 2", "!pip install foo"), ("shell_cell", f"sub.ipynb, cell {n}, line 1", "%%bash")]
    script = tmp_path / "sub.py"
    jupytext.write(nb, script, fmt="py:percent")  # "# !pip install foo", and `# %% language="bash"`
    lines = script.read_text().splitlines()
    notes = read_submission(script).notes
    assert [x.kind for x in notes] == ["shell", "shell_cell"]
    at = [lines[int(note.where.rsplit("line ", 1)[1]) - 1] for note in notes]
    assert at == ["# !pip install foo", '# %% language="bash"']


# --- grading through the real worker -------------------------------------------------------------

def solution_notebook(replace: dict[str, str] | None = None, append: list[str] = ()) -> str:
    """The solution as a notebook, with cell text replaced (each ``old`` once) and code cells appended."""
    nb = jupytext.read(SOLUTION)
    for old, new in (replace or {}).items():
        assert sum(c.source.count(old) for c in nb.cells) == 1, old
        for c in nb.cells:
            c.source = c.source.replace(old, new)
    nb.cells += [new_code_cell(source) for source in append]
    return nbformat.writes(nb)


def cell_number(text: str, needle: str) -> int:
    """The 1-based cell number of the first cell holding ``needle``."""
    return next(i for i, c in enumerate(nbformat.reads(text, 4).cells, 1) if needle in c.source)


def assert_all_passed(graded) -> None:
    failed = {r.tag: r.output for r in graded.results if r.status != "passed"}
    assert not failed and graded.score == TOTAL, failed


def test_time_magics_run_the_fit_once_and_earn_every_point(grade):
    """The issue's case: `%%time` on the fit cell scored 8/13, nbgrader 13/13."""
    text = solution_notebook({FIT: "%%time\n" + FIT, PLOT_HEAD: "%%capture plot_log\n%matplotlib inline\n" + PLOT_HEAD})
    graded = grade(text, suffix=".ipynb")
    assert_all_passed(graded)
    assert graded.notes == []  # display and set-up magics are not worth a note
    graded = grade(solution_notebook({FIT: "%time " + FIT_ONE_LINE}), suffix=".ipynb")
    assert_all_passed(graded)
    assert graded.notes == []


def test_python_magics_run_once_in_the_notebook_namespace(grade):
    """Each body runs exactly once; %%capture binds its CapturedIO; %time returns the value;
    %%timeit and %timeit keep no names, as in IPython. A failed assertion would be a note."""
    text = solution_notebook({FIT: "%%capture fit_log\n" + FIT}, append=[
        "calls = []",
        "%%time\ncalls.append('time')",
        "%%timeit\ncalls.append('timeit')\ntimed = 1",
        "%timeit -n 100 -r 7 calls.append('timeit line')",
        "%%prun -q\ncalls.append('prun')",
        "%%capture --no-stderr out\nprint('hello')\ncalls.append('capture')",
        "t = %time len(calls)\nsquare = %time t * t",
        textwrap.dedent("""\
            assert calls == ['time', 'timeit', 'timeit line', 'prun', 'capture'], calls
            assert 'timed' not in globals()
            assert (t, square) == (5, 25), (t, square)
            assert out.stdout == 'hello\\n', out.stdout
            assert fit_log.stdout.count('Epoch 1/') == 1 and 'Epoch 10/10' in fit_log.stdout, fit_log.stdout[:300]
            """),
    ])
    graded = grade(text, suffix=".ipynb")
    assert_all_passed(graded)
    timeit_cell = cell_number(text, "%%timeit\n")
    assert graded.notes == [rubric.NOTE_MESSAGES["timeit_scope"].format(
        where=f"submission.ipynb, cell {timeit_cell}, line 1", magic="%%timeit", time="%%time",
        names="`timed`", is_are="is")]


def test_errors_under_magics_name_the_learners_cell_and_line(grade):
    text = solution_notebook(append=["%%timeit\nx = 1\nraise ValueError('boom')",
                                     "y = 1\n%time 1 / 0\nreached = True",
                                     "%%capture --no-stdout\n\nimport nosuchmodule",
                                     "assert 'reached' not in globals()"])
    graded = grade(text, suffix=".ipynb")
    assert_all_passed(graded)
    cells = [cell_number(text, needle) for needle in ("boom", "1 / 0", "nosuchmodule")]
    assert [n.split(": this cell raised an error: ")[0] for n in graded.notes[1:]] == [
        f"submission.ipynb, cell {cells[0]}, line 3", f"submission.ipynb, cell {cells[1]}, line 2",
        f"submission.ipynb, cell {cells[2]}, line 3"]
    assert "ValueError: boom" in graded.notes[1] and "ZeroDivisionError" in graded.notes[2]
    assert "`%%timeit`" in graded.notes[0] and "`x`" in graded.notes[0] and len(graded.notes) == 4


def test_magics_still_run_after_the_autograder_modules_are_emptied(grade):
    """The harness's magic support takes what it needs before learner code runs."""
    text = solution_notebook({FIT: "%%time\n" + FIT}, append=[
        "import sys\nfor name in [n for n in sys.modules if n.startswith('autograder')]:\n"
        "    vars(sys.modules[name]).clear()",
        "%%capture log\nprint('after')\nt = %time 6 * 7",
        "assert (t, log.stdout) == (42, 'after\\n'), (t, log.stdout)",
    ])
    graded = grade(text, suffix=".ipynb")
    assert_all_passed(graded)
    assert graded.notes == []


def test_timeit_on_the_fit_cell_keeps_no_history_as_in_jupyter(grade):
    graded = grade(solution_notebook({FIT: "%%timeit\n" + FIT}), suffix=".ipynb")
    results = by_tag(graded)
    assert results["compile.loss"].status == "passed"
    assert results["fit.history_keys"].status == "failed"
    [note] = graded.notes
    assert "`%%timeit`" in note and "`history_intro`" in note and "`%%time`" in note


def test_shell_escapes_and_shell_magics_do_not_run_and_are_named(grade):
    text = solution_notebook({COMPILE_HEAD: "!pip install --quiet tensorflow\nfiles = !ls\n%pip install seaborn\n"
                                            + COMPILE_HEAD}, append=[
        "%%bash\ntouch made_by_bash.txt",
        "%%writefile made_by_writefile.py\nx = 1",
        "%cd /\nimport os\nassert not os.path.exists('made_by_bash.txt') and not os.path.exists('made_by_writefile.py')"
        "\nassert files == [] and os.getcwd() != '/'",
    ])
    graded = grade(text, suffix=".ipynb")
    assert_all_passed(graded)
    compile_cell, bash_cell = cell_number(text, COMPILE_HEAD), cell_number(text, "%%bash")
    where = lambda cell, line: f"submission.ipynb, cell {cell}, line {line}"  # noqa: E731
    msg = rubric.NOTE_MESSAGES
    assert graded.notes == [
        msg["shell"].format(where=where(compile_cell, 1), code="!pip install --quiet tensorflow"),
        msg["shell"].format(where=where(compile_cell, 2), code="files = !ls"),
        msg["shell_magic"].format(where=where(compile_cell, 3), code="%pip install seaborn"),
        msg["shell_cell"].format(where=where(bash_cell, 1), name="bash"),
        msg["shell_cell"].format(where=where(bash_cell + 1, 1), name="writefile"),
        msg["shell_magic"].format(where=where(bash_cell + 2, 1), code="%cd /"),
    ]


def test_unknown_cell_magic_body_does_not_run_and_is_reported(grade):
    text = solution_notebook({FIT: "%%foo\n" + FIT}, append=["%nosuch\nafter_unknown = 1",
                                                             "assert 'after_unknown' not in globals()"])
    graded = grade(text, suffix=".ipynb")
    results = by_tag(graded)
    assert results["compile.loss"].status == "passed" and results["overfitting.is_overfitting"].status == "passed"
    fit_cell = cell_number(text, "%%foo")
    for tag in FIRST.tags_for("fit"):
        assert results[tag].status == "failed"
    assert f"cell {fit_cell}, line 1" in results["fit.history_keys"].output
    assert "%%foo" in results["fit.history_keys"].output
    line_cell = cell_number(text, "%nosuch")
    assert graded.notes == [
        rubric.NOTE_MESSAGES["unknown_cell"].format(where=f"submission.ipynb, cell {fit_cell}, line 1", name="foo"),
        rubric.NOTE_MESSAGES["unknown_line"].format(where=f"submission.ipynb, cell {line_cell}, line 1", name="nosuch"),
    ]


def test_a_blank_in_a_time_magic_is_not_attempted_with_its_place(grade, tmp_path):
    text = solution_notebook({FIT: "%time " + FIT_ONE_LINE.replace("epochs = 10", "epochs = _____")})
    graded = grade(text, suffix=".ipynb")
    results = by_tag(graded)
    fit_cell = cell_number(text, "%time")
    assert results["fit.epochs"].status == "not_attempted"
    assert f"cell {fit_cell}, line 1" in results["fit.epochs"].output


# --- the in-kernel self-check reads blanks inside magics -----------------------------------------

def test_selfcheck_finds_blanks_under_magics_in_a_real_ipython_shell():
    script = textwrap.dedent("""\
        import json
        from IPython.core.interactiveshell import InteractiveShell
        from autograder import selfcheck
        shell = InteractiveShell.instance()
        shell.run_cell("x = 1", store_history=True)
        shell.run_cell("%%time\\n\\nhistory_intro = model_intro.fit(x = _____, epochs = 10)\\n", store_history=True)
        shell.run_cell("%time loss_trend = _____", store_history=True)
        print(json.dumps(selfcheck.executed_blanks(shell.user_ns)))
        """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert [(p["challenge"], p["where"], p["code"]) for p in found] == [
        ("fit", "your cell In [2], line 3", "history_intro = model_intro.fit(x = _____, epochs = 10)"),
        ("overfitting", "your cell In [3], line 1", "%time loss_trend = _____"),
    ]


# --- the same scores as real nbgrader ---------------------------------------------------------------

NBGRADER_VARIANTS = {
    "cell_time_fit": {FIT: "%%time\n" + FIT},
    "line_time_fit": {FIT: "%time " + FIT_ONE_LINE},
    "capture_fit_pip_plot": {FIT: "%%capture fit_log\n" + FIT,
                             PLOT_HEAD: "!pip install --no-index pandas\n%matplotlib inline\n" + PLOT_HEAD},
    "cell_time_wrong_loss": {COMPILE_HEAD: "%%time\n" + COMPILE_HEAD,
                             "'sparse_categorical_crossentropy'": "'categorical_crossentropy'"},
}


def test_check_and_real_nbgrader_autograde_give_the_same_scores(worker, tmp_path):
    from autograder.grading import grade_one
    from autograder.run.runner import Limits
    from test_nbgrader import ASSIGNMENT, NOTEBOOK, autograde_and_export, nbgrader_env, run, submission, submit

    course = tmp_path / "course"
    env = nbgrader_env()
    nbgrader = [sys.executable, "-m", "nbgrader"]
    run([sys.executable, "-m", "autograder.cli", "nbgrader", str(course), "--exercise", FIRST.name], tmp_path, env)
    run([*nbgrader, "generate_assignment", ASSIGNMENT], course, env)
    release = nbformat.read(course / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    paths = submit(course, {student: submission(release, fill=True, replace=replace)
                            for student, replace in NBGRADER_VARIANTS.items()})
    ours = {s: grade_one(p, worker, Limits(), FIRST.points()) for s, p in paths.items()}
    autograde_and_export(course, env)
    with open(course / "grades.csv", newline="") as fh:
        theirs = {r["student_id"]: float(r["score"]) for r in csv.DictReader(fh)}
    assert {s: g.score for s, g in ours.items()} == theirs
    assert theirs["cell_time_fit"] == theirs["line_time_fit"] == theirs["capture_fit_pip_plot"] == TOTAL
    assert theirs["cell_time_wrong_loss"] < TOTAL
    assert [n for n in ours["capture_fit_pip_plot"].notes if "pip install" in n]
