"""Read a submission (jupytext percent script or notebook) into cells, and the static pass.

Nothing here imports TensorFlow or runs learner code: the static pass only tokenizes and
compiles the cells to find unfilled blanks and syntax errors, with their places.
"""
from __future__ import annotations

import ast
import io
import re
import textwrap
import tokenize
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder import exercises
from autograder.exercises import Exercise
from autograder.judge.rubric import BLANK, CELL_MAGICS, LINE_MAGICS

MAX_BYTES = 5_000_000
SUFFIXES = (".py", ".ipynb")
_BLANK_NAME = re.compile(r"^_{3,}$")


class SubmissionError(Exception):
    """A submission that cannot be graded; ``unreadable`` means no file could be read at all.
    ``exercise``: the exercise it is one of, when that is known (forced, or its text says so)."""

    def __init__(self, message: str, unreadable: bool = False, exercise: Exercise | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.unreadable = unreadable
        self.exercise = exercise


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
class Note:
    """Something the learner wrote that grading does not run as written (a shell command, a magic),
    with its place; ``kind`` is a key of ``rubric.NOTE_MESSAGES``."""

    kind: str
    cell: int
    line: int
    where: str
    code: str = ""  # the source line, stripped
    detail: dict = field(default_factory=dict)  # e.g. the magic's name, the names it assigns


@dataclass
class Cell:
    """One code cell, with the Python source the harness will run."""

    index: int  # position among the notebook's cells, 0-based
    source: str  # as the learner wrote it
    python: str  # what runs: IPython's transform of the cell (of its body under a cell magic), same lines
    challenge: str | None
    first_line: int | None  # line of the cell's first source line in a .py file
    problems: list[Problem] = field(default_factory=list)
    magics: list[dict] = field(default_factory=list)  # the cell magics on its first line, outermost first
    notes: list[Note] = field(default_factory=list)

    def runnable(self) -> bool:
        return not any(p.kind == "syntax" for p in self.problems)


@dataclass
class Submission:
    """A read submission: its cells with their static findings, and the exercise it is graded as."""

    path: str
    name: str
    cells: list[Cell]
    exercise: Exercise

    def __getstate__(self) -> dict:
        # Pickled to other processes (Dask): the exercise travels by name (its table is a module).
        return {**self.__dict__, "exercise": self.exercise.name}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, exercise=exercises.get(state["exercise"]))

    @property
    def problems(self) -> list[Problem]:
        return [p for c in self.cells for p in c.problems]

    @property
    def notes(self) -> list[Note]:
        return [n for c in self.cells for n in c.notes]

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
    """One Problem per unfilled blank in a cell's ``code`` (as written, magics and shell escapes
    included, or as IPython transformed it); ``where(line)`` names the place."""
    lines = code.splitlines()
    return [Problem("blank", cell_index, line, col, where(line), challenge, f"the blank {BLANK} is not filled in",
                    lines[line - 1].strip() if line <= len(lines) else "")
            for line, col in parse_cell(code).blanks]


def read_submission(path: str | Path, exercise: Exercise | str | None = None,
                    max_bytes: int = MAX_BYTES) -> Submission:
    """Read and statically check a submission; raise SubmissionError with a clear message.

    ``exercise`` (an Exercise or its name) grades it as that exercise; None recognises it from the
    notebook's metadata (a percent script's YAML header), else from its content. An unknown name
    raises ``exercises.UnknownExercise``.
    """
    forced = exercises.get(exercise) if exercise is not None else None
    try:
        return _read(Path(path), forced, max_bytes)
    except SubmissionError as exc:
        exc.exercise = exc.exercise or forced
        raise


def _read(p: Path, forced: Exercise | None, max_bytes: int) -> Submission:
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
    try:
        nb = _read_notebook(p, text)
    except SubmissionError as exc:  # a broken notebook may still say whose it is
        exc.exercise = forced or exercises.from_content(text)
        raise
    chosen = forced or exercises.detect(_code_text(nb), dict(nb.metadata))
    return Submission(str(p), p.name, _code_cells(nb, text if p.suffix.lower() == ".py" else None, p.name, chosen),
                      chosen)


def _code_text(nb) -> str:
    """The code of a notebook's code cells, for recognising its exercise."""
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code" and isinstance(c.source, str))


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


def _code_cells(nb, py_text: str | None, name: str, exercise: Exercise) -> list[Cell]:
    """The code cells, each with its static findings (blanks, syntax errors, magics not run)."""
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
        challenge = nbcell.metadata.get("challenge")
        if not isinstance(challenge, str) or challenge not in exercise.challenges:
            challenge = guess_challenge(source, exercise)
        parsed = parse_cell(source)
        cell = Cell(index, source, parsed.python, challenge, first_line, magics=parsed.magics)
        lines = source.splitlines()

        def where(line: int, cell: Cell = cell) -> str:
            return place(name, cell.index, cell.first_line, line)

        def code(line: int) -> str:
            return lines[line - 1].strip() if 0 < line <= len(lines) else ""

        for line, col, message in parsed.syntax:
            cell.problems.append(Problem("syntax", index, line, col, where(line), challenge, f"{message} (column {col})",
                                         code(line)))
        for line, col in parsed.blanks:
            cell.problems.append(Problem("blank", index, line, col, where(line), challenge,
                                         f"the blank {BLANK} is not filled in", code(line)))
        cell.notes = [Note(kind, index, line, where(line), code(line), detail) for kind, line, detail in parsed.uses]
        cells.append(cell)
    return cells


def _locate(lines: list[str], source: str, cursor: int) -> tuple[int | None, int]:
    """Find the file line (1-based) where a cell's source starts, searching from ``cursor``."""
    src_lines = source.splitlines()
    if not src_lines:
        return None, cursor
    first = src_lines[0].strip()
    # jupytext comments magics and shell escapes out in a .py ("# %time ...", "# x = !ls") and
    # writes a cell of another language (`%%bash`) as a marker `# %% language="bash"`.
    language = re.match(r"%%(\w+)$", first)
    marker = f'language="{language.group(1)}"' if language else None
    for i in range(cursor, len(lines)):
        line = lines[i].strip()
        if (line in (first, "# " + first) or (first.startswith(("%", "!")) and line.endswith(first))
                or (marker and line.startswith("# %%") and marker in line)):
            return i + 1, i + len(src_lines)
    return None, cursor


def guess_challenge(source: str, exercise: Exercise | str) -> str | None:
    """The challenge of ``exercise`` a cell without ``challenge`` metadata answers, from what its
    code does (the exercise's ``CONTENT_HINTS``, first match wins); None when it answers none."""
    code = "\n".join(l for l in source.splitlines() if not l.lstrip().startswith("#"))
    for key, pattern in exercises.get(exercise).table.CONTENT_HINTS:
        if pattern.search(code):
            return key
    return None


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


# --- IPython magics and shell escapes ----------------------------------------------------------
# A cell runs as IPython would run it: a cell magic on its first line (after empty lines) applies
# to the body below it, and IPython's TransformerManager turns line magics and shell escapes into
# `get_ipython()` calls. What grading does with each magic is the table rubric.CELL_MAGICS /
# rubric.LINE_MAGICS; the harness gives `get_ipython()` a stand-in that follows it.

_IPYTHON_CALLS = {"system", "getoutput", "run_line_magic", "run_cell_magic"}


@dataclass
class ParsedCell:
    """What the static pass makes of one cell; every line number is the cell's own line."""

    python: str  # what runs (empty when the cell's magic runs nothing)
    magics: list[dict] = field(default_factory=list)  # cell magics, outermost first
    blanks: list[tuple[int, int]] = field(default_factory=list)  # (line, column)
    syntax: list[tuple[int, int, str]] = field(default_factory=list)  # (line, column, message)
    uses: list[tuple[str, int, dict]] = field(default_factory=list)  # (note kind, line, detail)


def magic_arguments(name: str, line: str, cell: bool, *, _ipython: list = []) -> dict:  # noqa: B006 (a cache)
    """What IPython makes of the arguments of a magic whose code is Python (kind "python").

    Returns ``{"code": ...}``: a line magic's statement, the setup statement of ``%%timeit``, the
    statement of ``%%prun``'s line (empty for the others), plus the magic's flags (``%%capture``'s
    output name and what it captures, ``%time --no-raise-error``). Raises IPython's UsageError,
    with IPython's message, for arguments IPython refuses. IPython's own parsers (ExecutionMagics,
    without a shell) are kept in ``_ipython``, so the harness's calls need nothing global.
    """
    if not _ipython:
        from IPython.core import magic_arguments as parse
        from IPython.core.error import UsageError
        from IPython.core.magics.execution import ExecutionMagics

        _ipython.append((parse, UsageError, ExecutionMagics(shell=None)))
    parse, UsageError, magics = _ipython[0]
    if name == "time":
        args, extra = parse.parse_argstring(type(magics).time, line, partial=True)
        code = " ".join(extra)
        if code and cell:
            raise UsageError("Can't use statement directly after '%%time'!")
        return {"code": code, "no_raise_error": bool(args.no_raise_error)}
    if name == "timeit":
        opts, code = magics.parse_options(line, "n:r:tcp:qo", posix=False, strict=False, preserve_non_opts=True)
        return {"code": code}
    if name == "prun":
        opts, code = magics.parse_options(line, "D:l:rs:T:q", list_all=True, posix=False)
        return {"code": code}
    if name == "capture":
        args = parse.parse_argstring(type(magics).capture, line)
        return {"code": "", "output": args.output or "", "stdout": not args.no_stdout,
                "stderr": not args.no_stderr, "display": not args.no_display}
    return {"code": ""}


def _transform(text: str) -> str:
    """IPython's transform of a cell's code; the text itself if IPython cannot transform it."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return TransformerManager().transform_cell(text)
    except Exception:
        return text


def split_cell_magics(source: str) -> tuple[list[dict], str]:
    """IPython's cell-magic step: ``(magics, python)``.

    ``magics`` are the cell magics on the cell's first line (after empty lines), outermost first
    (the body of ``%%capture`` may start with ``%%time``), each ``{"name", "args", "kind", "line"}``
    plus its parsed arguments, or ``"error"`` (IPython's UsageError message) when IPython would
    refuse it. ``python`` is what runs, with the cell's line numbers: under a Python-body magic the
    body, the magic's line replaced by its own code (``%%prun``'s statement, ``%%timeit``'s setup)
    or left empty; under any other magic nothing.
    """
    lines = source.splitlines(keepends=True)
    empty = 0
    while empty < len(lines) and (not lines[empty] or lines[empty].isspace()):
        empty += 1
    rest = "".join(lines[empty:])
    dedented = textwrap.dedent(rest).splitlines(keepends=True)
    first = dedented[0] if dedented else ""
    if not first.startswith("%%") or re.match(r"%%\w+\?", first):
        return [], "\n" * empty + (_transform(rest) if rest else "")
    name, _, args = first[2:].rstrip().partition(" ")
    kind = CELL_MAGICS.get(name, "unknown")
    magic = {"name": name, "args": args, "kind": kind, "line": empty + 1}
    if kind == "unknown":
        return [{**magic, "error": f"Cell magic `%%{name}` not found."}], ""
    if kind != "python":
        return [magic], ""
    try:
        magic.update(magic_arguments(name, args, cell=True))
    except Exception as exc:  # IPython's UsageError
        return [{**magic, "error": str(exc) or type(exc).__name__}], ""
    inner, body = split_cell_magics("".join(dedented[1:]))
    head = magic.pop("code", "")
    inner = [{**m, "line": m["line"] + empty + 1} for m in inner]  # the body starts below the magic's line
    return [magic, *inner], "\n" * empty + head + "\n" + body


def parse_cell(source: str) -> ParsedCell:
    """The static pass on one cell's code, as written (or as IPython transformed it): what runs,
    its cell magics, blanks and syntax errors (inside magic statements too), and the shell
    commands and magics grading does not run."""
    magics, python = split_cell_magics(source)
    parsed = ParsedCell(python, magics)
    for magic in magics:
        if magic["kind"] == "shell":
            parsed.uses.append(("shell_cell", magic["line"], {"name": magic["name"]}))
        elif magic["kind"] == "unknown":
            parsed.uses.append(("unknown_cell", magic["line"], {"name": magic["name"]}))
        elif magic["name"] == "timeit" and not magic.get("error"):
            names = assigned_names(python)
            if names:
                parsed.uses.append(("timeit_scope", magic["line"], {"magic": "%%timeit", "time": "%%time",
                                                                     "names": names}))
    try:
        compile(python, "<cell>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        parsed.syntax.append((exc.lineno or 1, exc.offset or 1, exc.msg))
    except ValueError as exc:  # e.g. a null character
        parsed.syntax.append((1, 1, str(exc)))
    parsed.blanks = blank_positions(python)
    raw_lines = source.splitlines()
    for method, line, args in _ipython_calls(python):
        raw = raw_lines[line - 1] if 0 < line <= len(raw_lines) else ""
        if method in ("system", "getoutput"):
            parsed.uses.append(("shell", line, {}))
        elif method == "run_line_magic" and args:
            _line_magic(parsed, line, raw, args[0], args[1] if len(args) > 1 else "")
        elif method == "run_cell_magic" and len(args) == 3:
            _cell_magic_call(parsed, line, *args)
    parsed.blanks.sort()
    parsed.uses.sort(key=lambda u: u[1])
    return parsed


def _line_magic(parsed: ParsedCell, line: int, raw: str, name: str, arg: str) -> None:
    kind = LINE_MAGICS.get(name)
    if name.startswith("%"):  # `%%time` below a cell's first line: IPython looks for a line magic `%time`
        parsed.uses.append(("misplaced_cell_magic", line, {"name": name[1:]}))
    elif kind is None:
        parsed.uses.append(("unknown_line", line, {"name": name}))
    elif kind == "shell":
        parsed.uses.append(("shell_magic", line, {"name": name}))
    elif kind == "python":
        try:
            code = magic_arguments(name, arg, cell=False)["code"]
        except Exception:  # IPython's UsageError: the run reports it, at this line
            return
        # Columns: where the statement starts on the line as written, else where its text is.
        at = raw.find("%" + name)
        segment, offset = (raw[at + len(name) + 1:], at + len(name) + 1) if at >= 0 else (code, max(raw.find(code), 0))
        parsed.blanks += [(line, offset + col) for _, col in blank_positions(segment)]
        try:
            compile(code, "<magic>", "exec", dont_inherit=True)
        except SyntaxError as exc:
            start = raw.find(code) if code else -1
            parsed.syntax.append((line, (start if start >= 0 else offset) + (exc.offset or 1), exc.msg))
        except ValueError as exc:
            parsed.syntax.append((line, 1, str(exc)))
        if name == "timeit":
            names = assigned_names(code)
            if names:
                parsed.uses.append(("timeit_scope", line, {"magic": "%timeit", "time": "%time", "names": names}))


def _cell_magic_call(parsed: ParsedCell, line: int, name: str, args: str, body: str) -> None:
    """``get_ipython().run_cell_magic(...)`` in the code (IPython's input history holds cells so)."""
    kind = CELL_MAGICS.get(name, "unknown")
    if kind == "unknown":
        parsed.uses.append(("unknown_cell", line, {"name": name}))
    elif kind == "shell":
        parsed.uses.append(("shell_cell", line, {"name": name}))
    elif kind == "python":
        inner = parse_cell(body)  # the body's line 1 is the line after the magic's
        parsed.blanks += [(line + b, col) for b, col in inner.blanks]
        parsed.syntax += [(line + b, col, message) for b, col, message in inner.syntax]
        parsed.uses += [(kind_, line + b, detail) for kind_, b, detail in inner.uses]


def _ipython_calls(python: str) -> list[tuple[str, int, list[str]]]:
    """The ``get_ipython().<method>("...")`` calls in code, with their line and string arguments."""
    try:
        tree = ast.parse(python)
    except (SyntaxError, ValueError):
        return []
    found = []
    for node in ast.walk(tree):
        func = getattr(node, "func", None)
        if (isinstance(node, ast.Call) and isinstance(func, ast.Attribute) and func.attr in _IPYTHON_CALLS
                and isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name)
                and func.value.func.id == "get_ipython"
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)):
            found.append((func.attr, node.lineno, [a.value for a in node.args]))
    return sorted(found, key=lambda f: f[1])


class _Assigned(ast.NodeVisitor):
    """Names a piece of code binds in its own scope (not inside functions or classes it defines)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.declared_global: set[str] = set()

    def add(self, name: str) -> None:
        if name not in self.names:
            self.names.append(name)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.add(node.id)

    def visit_Global(self, node: ast.Global) -> None:
        self.declared_global.update(node.names)

    def visit_alias(self, node: ast.alias) -> None:
        if node.name != "*":
            self.add(node.asname or node.name.split(".")[0])

    def _define(self, node) -> None:
        self.add(node.name)
        for decorator in node.decorator_list:
            self.visit(decorator)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _define

    def visit_Lambda(self, node: ast.Lambda) -> None:
        pass


def assigned_names(code: str) -> list[str]:
    """The names ``code`` assigns in its own scope, in order (``%timeit`` would not keep them)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return []
    visitor = _Assigned()
    visitor.visit(tree)
    return [n for n in visitor.names if n not in visitor.declared_global]
