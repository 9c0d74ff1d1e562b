"""Reading submissions and the static pass: blanks, syntax errors and bad files, with places."""
from __future__ import annotations

import json

import jupytext
import pytest

from autograder import exercises
from autograder.read.source import SubmissionError, guess_challenge, read_submission
from conftest import FIRST, LESSON, SOLUTION


def test_lesson_blanks_are_reported_with_line_and_challenge():
    sub = read_submission(LESSON)
    blanks = [p for p in sub.problems if p.kind == "blank"]
    lines = LESSON.read_text().splitlines()
    assert blanks, "the lesson has blanks"
    for p in blanks:
        line_no = int(p.where.rsplit("line ", 1)[1])
        assert "_____" in lines[line_no - 1][p.col - 1:p.col + 4], p
    by_challenge = {}
    for p in blanks:
        by_challenge[p.challenge] = by_challenge.get(p.challenge, 0) + 1
    assert by_challenge == {"compile": 4, "fit": 4, "plot": 5, "overfitting": 5}


def test_solution_has_no_problems():
    assert read_submission(SOLUTION).problems == []


def test_notebook_places_name_cell_and_line(tmp_path):
    nb = jupytext.read(LESSON)
    path = tmp_path / "lesson.ipynb"
    jupytext.write(nb, path)
    sub = read_submission(path)
    first = next(p for p in sub.problems if p.challenge == "compile")
    assert first.where.startswith("lesson.ipynb, cell ") and first.where.endswith("line 2")


def test_syntax_error_line_and_column(tmp_path):
    text = SOLUTION.read_text().replace("epochs = 10,", "epochs = 10,,")
    path = tmp_path / "s.py"
    path.write_text(text)
    sub = read_submission(path)
    [p] = [p for p in sub.problems if p.kind == "syntax"]
    line_no = int(p.where.rsplit("line ", 1)[1])
    assert "epochs = 10,," in text.splitlines()[line_no - 1]
    assert p.challenge == "fit" and "column" in p.message


def test_blanks_in_comments_and_strings_are_not_blanks(tmp_path):
    path = tmp_path / "s.py"
    path.write_text('# %%\nx = "_____"  # fill _____\n')
    assert read_submission(path).problems == []


def test_challenge_recognised_without_metadata(tmp_path):
    path = tmp_path / "s.py"
    path.write_text("# %%\nmodel_intro.compile(optimizer=_____)\n\n# %%\nloss_trend = _____\n")
    assert [p.challenge for p in read_submission(path).problems] == ["compile", "overfitting"]


@pytest.mark.parametrize("name, content, words, unreadable", [
    ("empty.py", b"", ["empty"], False),
    ("blank.py", b"  \n\n", ["empty"], False),
    ("binary.py", b"\x00\x01\x02abc", ["binary"], False),
    ("latin1.py", "# %%\nx = 'caf\u00e9'\n".encode("latin-1"), ["not UTF-8", "line 2"], False),
    ("broken.ipynb", b"{not json", ["not a valid notebook", "not JSON"], False),
    ("notanotebook.ipynb", b'{"hello": 1}', ["not a valid notebook"], False),
    ("r.ipynb", json.dumps({"cells": [], "metadata": {"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}},
                            "nbformat": 4, "nbformat_minor": 5}).encode(), ["R notebook"], False),
    ("notes.txt", b"hello", ["unsupported file type '.txt'"], True),
])
def test_bad_files_get_clear_messages(tmp_path, name, content, words, unreadable):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SubmissionError) as info:
        read_submission(path)
    for word in words:
        assert word in info.value.message
    assert name in info.value.message
    assert info.value.unreadable is unreadable


def test_missing_path_directory_and_size_limit(tmp_path):
    with pytest.raises(SubmissionError, match="no such file") as info:
        read_submission(tmp_path / "nope.py")
    assert info.value.unreadable
    with pytest.raises(SubmissionError, match="is a directory"):
        read_submission(tmp_path)
    big = tmp_path / "big.py"
    big.write_text("x = 1\n" * 100)
    with pytest.raises(SubmissionError, match="over the limit"):
        read_submission(big, max_bytes=100)


def test_the_submission_knows_its_exercise_and_forcing_one_reads_its_challenges(tmp_path):
    assert read_submission(SOLUTION).exercise is FIRST
    assert read_submission(LESSON, FIRST.name).exercise is FIRST
    other = next((e for e in exercises.all_exercises() if e is not FIRST), None)
    if other is None:
        pytest.skip("one exercise only")
    forced = read_submission(SOLUTION, other)
    assert forced.exercise is other
    # Cells are labelled with the forced exercise's challenges only (metadata of another exercise is ignored).
    assert {c.challenge for c in forced.cells} <= set(other.challenges) | {None}


def test_an_unknown_exercise_names_the_exercises():
    with pytest.raises(exercises.UnknownExercise) as info:
        read_submission(SOLUTION, "no_such_exercise")
    assert all(name in str(info.value) for name in exercises.names())


def test_the_exercise_comes_from_the_notebook_metadata_before_the_content(tmp_path):
    """A percent script's YAML header names its exercise (jupytext puts it into the metadata)."""
    for exercise in exercises.all_exercises():
        for other in exercises.all_exercises():
            header = f"# ---\n# jupyter:\n#   autograder:\n#     exercise: {exercise.name}\n# ---\n\n"
            path = tmp_path / "s.py"
            path.write_text(header + other.solution.read_text(encoding="utf-8").split("# ---\n", 2)[-1])
            assert read_submission(path).exercise is exercise, (exercise, other)


def test_guess_challenge_uses_the_exercises_own_hints():
    for exercise in exercises.all_exercises():
        for key, pattern in exercise.table.CONTENT_HINTS:
            assert key in exercise.challenges
        assert guess_challenge("import math\nprint(math.pi)\n", exercise) is None
        assert guess_challenge("# x.compile(\n", exercise) is None  # a comment does nothing
    assert guess_challenge("model_intro.compile(optimizer='adam')", FIRST) == "compile"
    assert guess_challenge("loss_trend = 'decreases'", FIRST.name) == "overfitting"


def test_a_submission_travels_to_other_processes_with_its_exercise():
    import pickle

    sub = read_submission(SOLUTION)
    back = pickle.loads(pickle.dumps(sub))
    assert back.exercise is sub.exercise and back.cells == sub.cells and back.path == sub.path


def test_a_broken_notebook_still_says_whose_it_is(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [{"source": "loss_trend = 1; is_overfitting = 2; model_intro.fit(', encoding="utf-8")
    with pytest.raises(SubmissionError) as info:
        read_submission(path)
    assert info.value.exercise is FIRST
    (tmp_path / "e.py").write_text("")
    with pytest.raises(SubmissionError) as info:
        read_submission(tmp_path / "e.py", FIRST.name)
    assert info.value.exercise is FIRST
