"""Read a submission (jupytext percent script or notebook) into cells, and the static pass.

Nothing here imports TensorFlow or runs learner code: the static pass only tokenizes and
compiles the cells to find unfilled blanks and syntax errors, with their places.
"""
from __future__ import annotations

import io
import re
import tokenize
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .rubric import BLANK, CHALLENGES

MAX_BYTES = 5_000_000
SUFFIXES = (".py", ".ipynb")
_BLANK_NAME = re.compile(r"^_{3,}$")
# Where a cell carries no `challenge` metadata (e.g. code pasted into a fresh notebook), its
# challenge is recognised from what it does.
_CONTENT_HINTS = [
    ("compile", re.compile(r"\.\s*compile\s*\(")),
    ("fit", re.compile(r"\.\s*fit\s*\(")),
    ("plot", re.compile(r"history_intro_df\s*=|sns\s*\.\s*lineplot")),
    ("overfitting", re.compile(r"^\s*(loss_trend|accuracy_trend|curves_similar|performs_well_on_new_data|is_overfitting)\s*=", re.M)),
]


class SubmissionError(Exception):
    """A submission that cannot be graded; ``unreadable`` means no file could be read at all."""

    def __init__(self, message: str, unreadable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.unreadable = unreadable


@dataclass
class Problem:
    """A static finding: an unfilled blank or a syntax error, with its place."""

    kind: str  # "blank" | "syntax"
    cell: int
    line: int  # line in the cell, 1-based
    col: int
    where: str  # human place: "lesson.py, line 42" or "sub.ipynb, cell 7, line 2"
    challenge: str | None
    message: str = ""
    code: str = ""  # the source line, stripped


@dataclass
class Cell:
    """One code cell, with the Python source the harness will run."""

    index: int  # position among the notebook's cells, 0-based
    source: str  # as the learner wrote it
    python: str  # after IPython magics were turned into calls
    challenge: str | None
    first_line: int | None  # line of the cell's first source line in a .py file
    problems: list[Problem] = field(default_factory=list)

    def runnable(self) -> bool:
        return not any(p.kind == "syntax" for p in self.problems)


@dataclass
class Submission:
    path: str
    name: str
    cells: list[Cell]

    @property
    def problems(self) -> list[Problem]:
        return [p for c in self.cells for p in c.problems]

    def where(self, cell: Cell, line: int) -> str:
        return place(self.name, cell.index, cell.first_line, line)

    def to_job(self) -> list[dict]:
        """The cells as plain data for the harness."""
        return [asdict(c) for c in self.cells]


def place(name: str, cell_index: int, first_line: int | None, line: int | None) -> str:
    """Where a line of a cell is, for a person: "lesson.py, line 42" for a script (whose cells
    know their first line), "lesson.ipynb, cell 7, line 2" for a notebook."""
    if first_line is not None:
        return f"{name}, line {first_line + (line or 1) - 1}"
    return f"{name}, cell {cell_index + 1}" + (f", line {line}" if line is not None else "")


def blank_problems(code: str, cell_index: int, challenge: str | None, where) -> list[Problem]:
    """One Problem per unfilled blank in ``code``; ``where(line)`` names the place."""
    lines = code.splitlines()
    return [Problem("blank", cell_index, line, col, where(line), challenge, f"the blank {BLANK} is not filled in",
                    lines[line - 1].strip() if line <= len(lines) else "")
            for line, col in blank_positions(code)]


def read_submission(path: str | Path, max_bytes: int = MAX_BYTES) -> Submission:
    """Read and statically check a submission; raise SubmissionError with a clear message."""
    p = Path(path)
    if not p.exists():
        raise SubmissionError(f"{p}: no such file", unreadable=True)
    if p.is_dir():
        raise SubmissionError(f"{p}: is a directory, not a submission file", unreadable=True)
    if p.suffix.lower() not in SUFFIXES:
        raise SubmissionError(
            f"{p}: unsupported file type {p.suffix or '(no extension)'!r}; submit a .py (jupytext percent) or .ipynb file",
            unreadable=True,
        )
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise SubmissionError(f"{p.name}: the file is {size:,} bytes, over the limit of {max_bytes:,} bytes")
        data = p.read_bytes()
    except OSError as exc:
        raise SubmissionError(f"{p}: cannot be read ({exc.strerror})", unreadable=True) from None
    if not data.strip():
        raise SubmissionError(f"{p.name}: the file is empty")
    if b"\x00" in data:
        raise SubmissionError(f"{p.name}: this is a binary file, not a Python script or notebook")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SubmissionError(f"{p.name}, line {line}: the file is not UTF-8 text (save it as UTF-8)") from None
    nb = _read_notebook(p, text)
    cells = _code_cells(nb, text if p.suffix.lower() == ".py" else None)
    sub = Submission(str(p), p.name, cells)
    for cell in cells:
        _static_pass(sub, cell)
    return sub


def _read_notebook(p: Path, text: str):
    import jupytext
    import nbformat

    if p.suffix.lower() == ".py":
        return jupytext.reads(text, fmt="py:percent")
    try:
        nb = nbformat.reads(text, as_version=4)
    except nbformat.reader.NotJSONError:
        raise SubmissionError(f"{p.name}: not a valid notebook (the file is not JSON)") from None
    except Exception as exc:  # nbformat raises several kinds for malformed notebooks
        raise SubmissionError(f"{p.name}: not a valid notebook ({_first_line(exc)})") from None
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        raise SubmissionError(f"{p.name}: not a valid notebook ({_first_line(exc)})") from None
    lang = (nb.metadata.get("kernelspec", {}).get("language") or nb.metadata.get("language_info", {}).get("name") or "python")
    if str(lang).lower() != "python":
        raise SubmissionError(f"{p.name}: this is a {lang} notebook; the exercise needs a Python notebook")
    return nb


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _code_cells(nb, py_text: str | None) -> list[Cell]:
    from IPython.core.inputtransformer2 import TransformerManager

    transformer = TransformerManager()
    file_lines = py_text.splitlines() if py_text is not None else []
    cursor = 0
    cells = []
    for index, nbcell in enumerate(nb.cells):
        if nbcell.cell_type != "code":
            continue
        source = nbcell.source
        first_line = None
        if py_text is not None:
            first_line, cursor = _locate(file_lines, source, cursor)
        try:
            python = transformer.transform_cell(source)
        except Exception:
            python = source
        challenge = nbcell.metadata.get("challenge")
        if challenge not in CHALLENGES:
            challenge = guess_challenge(source)
        cells.append(Cell(index, source, python, challenge, first_line))
    return cells


def _locate(lines: list[str], source: str, cursor: int) -> tuple[int | None, int]:
    """Find the file line (1-based) where a cell's source starts, searching from ``cursor``."""
    src_lines = source.splitlines()
    if not src_lines:
        return None, cursor
    first = src_lines[0].strip()
    for i in range(cursor, len(lines)):
        line = lines[i].strip()
        if line == first or (first.startswith(("%", "!")) and line.endswith(first)):
            return i + 1, i + len(src_lines)
    return None, cursor


def guess_challenge(source: str) -> str | None:
    code = "\n".join(l for l in source.splitlines() if not l.lstrip().startswith("#"))
    for key, pattern in _CONTENT_HINTS:
        if pattern.search(code):
            return key
    return None


def _static_pass(sub: Submission, cell: Cell) -> None:
    """Record unfilled blanks and syntax errors of one cell."""
    try:
        compile(cell.python, f"<cell {cell.index + 1}>", "exec")
    except SyntaxError as exc:
        line = exc.lineno or 1
        col = exc.offset or 1
        cell.problems.append(Problem("syntax", cell.index, line, col, sub.where(cell, line), cell.challenge,
                                     f"{exc.msg} (column {col})"))
    cell.problems += blank_problems(cell.python, cell.index, cell.challenge, lambda line: sub.where(cell, line))


def blank_positions(code: str) -> list[tuple[int, int]]:
    """Positions of blank names (``_____``) in code, ignoring comments and strings."""
    found = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == tokenize.NAME and _BLANK_NAME.match(tok.string):
                found.append((tok.start[0], tok.start[1] + 1))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        # Unbalanced code: fall back to a plain search outside comments.
        for n, line in enumerate(code.splitlines(), 1):
            body = line.split("#", 1)[0]
            for m in re.finditer(r"(?<![\w'\"])_{3,}(?![\w'\"])", body):
                found.append((n, m.start() + 1))
    return found
