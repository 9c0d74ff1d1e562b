"""An exercise's helper modules written out as plain notebook code, for a release that must run
with only the lesson's libraries installed (TensorFlow/Keras, NumPy, pandas, matplotlib, seaborn).

The code is generated from the modules' own source files, so the package stays the one
source of truth. Which modules, for which of the lesson's import lines, and how each changes
is the exercise's table's ``STANDALONE`` entry: e.g. the shared ``autograder/data.py``
(``load_datasets``), the exercise's model and its figures (with their data, read from the
exercise's resources, as literals). Module docstrings, ``from __future__`` lines and imports of
this package are left out; constants the code imports from the package become literals.
Anything left that would need the package raises ValueError, so a change to those modules
cannot ship a broken release. The modules are read, not imported: building a course does not
import TensorFlow.
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import pprint
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from autograder import exercises
from autograder.exercises import Exercise

PACKAGE = "autograder"


def _imports_package(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.ImportFrom):
        return stmt.level > 0 or (stmt.module or "").split(".")[0] == PACKAGE
    if isinstance(stmt, ast.Import):
        return any(alias.name.split(".")[0] == PACKAGE for alias in stmt.names)
    return False


def _defined_names(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
    return {t.id for t in targets if isinstance(t, ast.Name)}


def _is_call_of(node: ast.AST, names: set[str] | dict[str, str]) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names \
        and not node.args and not node.keywords


def _apply_edits(source: str, edits: list[tuple[int, int, int, int, str]]) -> str:
    """Replace (line, col)-(end_line, end_col) spans (1-based lines, as ast gives them), last first."""
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    text = source
    for line, col, end_line, end_col, new in sorted(edits, reverse=True):
        text = text[:starts[line - 1] + col] + new + text[starts[end_line - 1] + end_col:]
    return text


def _bound_names(stmt: ast.stmt) -> set[str]:
    return {(alias.asname or alias.name).split(".")[0] for alias in stmt.names}


def _leading_blanks(lines: list[str]) -> int:
    return next((n for n, line in enumerate(lines) if line.strip()), len(lines))


def module_source(module: str) -> str:
    """The source text of ``module`` (a dotted name), without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        raise ValueError(f"cannot find the source of {module} to write it out")
    return Path(spec.origin).read_text(encoding="utf-8")


def _absolute(stmt: ast.ImportFrom, module: str) -> str:
    """The module a ``from ... import`` in ``module``'s source names, relative ones resolved."""
    if not stmt.level:
        return stmt.module or ""
    package = module if _is_package(module) else module.rpartition(".")[0]
    return importlib.util.resolve_name("." * stmt.level + (stmt.module or ""), package)


def _is_package(module: str) -> bool:
    spec = importlib.util.find_spec(module)
    return spec is not None and spec.submodule_search_locations is not None


def package_imports(module: str, provided: set[str] = frozenset()) -> tuple[set[str], dict[str, object]]:
    """The names ``module``'s source binds by importing this package, and those of them that are
    literal constants where they come from (``X = "..."``), with their values. Names imported
    from a module in ``provided`` (written out in an earlier cell) are neither."""
    bound: set[str] = set()
    constants: dict[str, object] = {}
    for stmt in ast.parse(module_source(module)).body:
        if not isinstance(stmt, (ast.Import, ast.ImportFrom)) or not _imports_package(stmt):
            continue
        origin = _absolute(stmt, module) if isinstance(stmt, ast.ImportFrom) else None
        if origin in provided:
            continue
        bound |= _bound_names(stmt)
        for alias in stmt.names if origin is not None else ():
            try:
                constants[alias.asname or alias.name] = _constant(module_source(origin), alias.name, comment=True)
            except (ValueError, TypeError, SyntaxError):  # a function, a module, a computed value
                pass
    return bound, constants


def module_code(module: str, drop: set[str] = frozenset(), calls: dict[str, str] | None = None,
                drop_guards: set[str] = frozenset(), after_imports: str = "",
                provided: set[str] = frozenset()) -> str:
    """``module``'s source as notebook code, without its docstring, ``__all__``, ``__future__``
    and package imports.

    ``drop``: top-level definitions to leave out (with the comments just above them);
    ``calls``: argument-less calls ``f()`` to replace by an expression, ``{"f": "F"}``;
    ``drop_guards``: ``if g(): ...`` statements (anywhere) to leave out, for g in the set;
    ``after_imports``: code to put right after the module's imports, followed by the
    constants the code imports from the package, as literals (except from the ``provided``
    modules, written out in earlier cells).
    Imports that nothing uses any more are left out too.
    """
    calls = calls or {}
    drop = set(drop) | {"__all__"}
    _, package_constants = package_imports(module, provided)
    source = module_source(module)
    edits = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.If) and _is_call_of(node.test, drop_guards) and not node.orelse:
            edits.append((node.lineno, 0, node.end_lineno + 1, 0, ""))  # whole lines
        elif _is_call_of(node, calls):
            edits.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, calls[node.func.id]))
    source = _apply_edits(source, edits)
    tree = ast.parse(source)
    lines = source.splitlines()

    def left_out(i: int, stmt: ast.stmt) -> bool:
        docstring = i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) \
            and isinstance(stmt.value.value, str)
        future = isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"
        return docstring or future or _imports_package(stmt) or bool(_defined_names(stmt) & drop)

    used = {n.id for i, stmt in enumerate(tree.body) if not left_out(i, stmt)
            and not isinstance(stmt, (ast.Import, ast.ImportFrom)) for n in ast.walk(stmt) if isinstance(n, ast.Name)}
    inlined = [comment + _literal(name, value) for name, (value, comment) in package_constants.items() if name in used]
    if inlined:
        after_imports = "\n\n".join(part for part in (after_imports.rstrip("\n"), "\n".join(inlined)) if part)
    chunks: list[tuple[ast.stmt, list[str]]] = []
    previous_end = 0
    blank_carry = 0  # blank lines above a left-out statement, kept for the next one
    for i, stmt in enumerate(tree.body):
        chunk = lines[previous_end:stmt.end_lineno]  # with the comments above it
        previous_end = stmt.end_lineno
        unused = isinstance(stmt, (ast.Import, ast.ImportFrom)) and not _bound_names(stmt) & used
        if unused or left_out(i, stmt):
            blank_carry = max(blank_carry, _leading_blanks(chunk))
            continue
        chunks.append((stmt, [""] * max(0, blank_carry - _leading_blanks(chunk)) + chunk))
        blank_carry = 0
    last_import = max((n for n, (stmt, _) in enumerate(chunks) if isinstance(stmt, (ast.Import, ast.ImportFrom))),
                      default=-1)
    parts = ["\n".join(chunk) for _, chunk in chunks]
    if after_imports:
        parts.insert(last_import + 1, "\n" + after_imports.rstrip("\n"))
    return "\n".join(parts).strip("\n") + "\n"


def _check(code: str, name: str, forbidden: set[str]) -> str:
    """Raise ValueError if ``code`` still imports the package or uses one of the ``forbidden`` names."""
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and _imports_package(node):
            raise ValueError(f"the code written out from {name} still imports {PACKAGE} (line {node.lineno})")
        if isinstance(node, ast.Name) and node.id in forbidden:
            raise ValueError(f"the code written out from {name} still uses {node.id} (line {node.lineno}), "
                             "which only the package provides")
    return code


def _constant(source: str, name: str, comment: bool = False) -> object:
    """The value of the module-level constant ``name = <literal>`` in ``source``; with ``comment``,
    ``(value, the comment lines just above it)``."""
    for stmt in ast.parse(source).body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and name in _defined_names(stmt) and stmt.value is not None:
            value = ast.literal_eval(stmt.value)
            if not comment:
                return value
            lines, n = source.splitlines(), stmt.lineno - 1
            while n > 0 and lines[n - 1].lstrip().startswith("#"):
                n -= 1
            return value, "".join(line + "\n" for line in lines[n:stmt.lineno - 1])
    raise ValueError(f"no constant {name} to read")


def _literal(name: str, value: object) -> str:
    return f"{name} = " + pprint.pformat(value, width=100, compact=True, sort_dicts=False)


# What the lesson imports from the package that a standalone release leaves out, with every
# statement that uses it (the self-check: a graded release has hidden tests instead).
DROPPED_IMPORTS = {("autograder", "selfcheck")}


def spec(exercise: Exercise | str) -> dict:
    """The exercise's ``STANDALONE`` table entry; ValueError if it has none."""
    ex = exercises.get(exercise)
    entry = getattr(ex.table, "STANDALONE", None)
    if not isinstance(entry, dict):
        raise ValueError(f"exercise {ex.name} cannot be released as a graded course: its table has no STANDALONE entry")
    return entry


def _module_name(ex: Exercise, key: str) -> str:
    name = spec(ex)["modules"][key]["module"]
    return importlib.util.resolve_name(name, ex.package) if name.startswith(".") else name


def _constant_value(ex: Exercise, where: str) -> object:
    """A constant of a written-out module: ``"module:function"`` of the exercise, called without
    arguments, or the name of a JSON file in the exercise's ``resources``."""
    if ":" in where:
        module, function = where.split(":", 1)
        return getattr(ex.module(module), function)()
    return json.loads(resources.files(ex.package).joinpath("resources").joinpath(where).read_text(encoding="utf-8"))


def written_code(exercise: Exercise | str, key: str) -> str:
    """Module ``key`` of the exercise's ``STANDALONE`` entry as notebook code (ValueError if
    what is left of it still needs the package)."""
    ex = exercises.get(exercise)
    entry = spec(ex)["modules"][key]
    module = _module_name(ex, key)
    constants = entry.get("constants", {})
    lines = [_literal(name, _constant_value(ex, where)) for name, where in constants.items()]
    if lines and entry.get("constants_comment"):
        lines.insert(0, entry["constants_comment"])
    drop, calls = set(entry.get("drop", ())), dict(entry.get("calls", {}))
    keys = list(spec(ex)["modules"])
    provided = {_module_name(ex, k) for k in keys[:keys.index(key)]}
    code = module_code(module, drop=drop, calls=calls, drop_guards=set(entry.get("drop_guards", ())),
                       after_imports="\n".join(lines), provided=provided)
    bound, package_constants = package_imports(module, provided)
    where = module.replace(".", "/") + ".py"
    return _check(code, where, (bound - set(package_constants)) | drop | set(calls))


def imports(exercise: Exercise | str) -> dict[tuple[str, str], tuple[str, ...] | None]:
    """What each ``from autograder... import name`` of the exercise's lesson becomes in a
    standalone release: the modules to write out (None: the name is dropped)."""
    found: dict[tuple[str, str], tuple[str, ...] | None] = {key: None for key in DROPPED_IMPORTS}
    found.update({tuple(key): tuple(modules) for key, modules in spec(exercise)["imports"].items()})
    return found


def modules_for(exercise: Exercise | str, module: str, name: str) -> tuple[str, ...] | None:
    """The modules to write out for ``from module import name``; KeyError if there is no written-out form."""
    table = imports(exercise)
    if (module, name) in table:
        return table[(module, name)]
    return table[(module, "*")]


def module_cell(exercise: Exercise | str, key: str) -> str:
    """The source of the notebook cell that writes out the exercise's module ``key`` (e.g. "data")."""
    return spec(exercise)["modules"][key]["header"] + "\n" + written_code(exercise, key)


# --- the lesson's cells, rewritten to run without the package ------------------------------------

GRADED_NOTE = ("After each challenge come its test cells, each worth the points it shows: the tests are "
               "hidden, and run when your notebook is graded.")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`])")


def lesson_markdown(source: str) -> str | None:
    """A markdown cell of the lesson without its sentences about the self-check (None if nothing is left).

    The first paragraph that loses a sentence gets ``GRADED_NOTE`` instead.
    """
    paragraphs, noted = [], False
    for paragraph in source.split("\n\n"):
        if "selfcheck" in paragraph:
            kept = [s for s in _SENTENCE_END.split(paragraph) if "selfcheck" not in s]
            if not noted:
                kept.append(GRADED_NOTE)
                noted = True
            paragraph = " ".join(kept)
        if paragraph.strip():
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs) or None


def _is_call_on(stmt: ast.stmt, names: set[str]) -> bool:
    """``stmt`` is an expression statement calling something on one of ``names``, e.g. ``selfcheck.check(...)``."""
    node = stmt.value if isinstance(stmt, ast.Expr) else None
    while isinstance(node, ast.Call):
        node = node.func
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id in names


@dataclass
class LessonRewriter:
    """Rewrites the given code cells of an exercise's lesson, in order, to run without the package.

    It remembers across cells which names the package's imports bound and which modules are
    already written out.
    """

    exercise: Exercise
    written: set[str] = field(default_factory=set)  # modules written out so far
    dropped_names: set[str] = field(default_factory=set)  # e.g. selfcheck: statements calling it go
    module_names: set[str] = field(default_factory=set)  # e.g. figures: `figures.f()` becomes `f()`

    def code(self, source: str, where: str) -> list[tuple[str, str]]:
        """One given code cell as cells that run without the package, as ``(kind, source)``.

        The cell itself (kind "lesson") loses its imports of the package and its self-check
        calls and comments, and calls ``f()`` for ``figures.f()``; it is left out if only
        comments are left. After it come the written-out modules it imported (kinds: the keys of
        the exercise's ``STANDALONE["modules"]``), each once per notebook. Raises ValueError, naming ``where``, for a
        use of the package that cannot be written out.
        """
        tree = ast.parse(source)
        drop_lines: set[int] = set()
        needed: list[str] = []
        for stmt in tree.body:
            if isinstance(stmt, ast.Import) and _imports_package(stmt):
                raise ValueError(f"{where}: `{ast.unparse(stmt)}` cannot be written out for a graded release; "
                                 f"import names instead, e.g. `from {PACKAGE}.data import load_datasets`")
            if isinstance(stmt, ast.ImportFrom) and _imports_package(stmt):
                for alias in stmt.names:
                    needed.extend(self._import(stmt.module or "", alias, where))
                drop_lines.update(range(stmt.lineno - 1, stmt.end_lineno))
            elif _is_call_on(stmt, self.dropped_names):
                drop_lines.update(range(stmt.lineno - 1, stmt.end_lineno))
        drop_lines.update(n for n, line in enumerate(source.splitlines()) if line.lstrip().startswith("#")
                          and any(f"{name}." in line for name in self.dropped_names))
        edits = [(node.lineno, node.col_offset, node.value.end_lineno, node.value.end_col_offset + 1, "")
                 for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                 and isinstance(node.value, ast.Name) and node.value.id in self.module_names]  # `figures.f` -> `f`
        kept: list[str] = []
        for n, line in enumerate(_apply_edits(source, edits).splitlines()):
            if n in drop_lines or (not line.strip() and (not kept or not kept[-1].strip())):
                continue
            kept.append(line)
        code = "\n".join(kept).strip("\n")
        left = ast.parse(code)
        leftover = {n.id for n in ast.walk(left) if isinstance(n, ast.Name)} & (self.dropped_names | self.module_names)
        if leftover:
            raise ValueError(f"{where}: uses {', '.join(sorted(leftover))} in a way a graded release cannot write out")
        cells = [("lesson", code)] if code and (left.body or not drop_lines) else []
        for key in spec(self.exercise)["modules"]:  # in dependency order
            if key in needed and key not in self.written:
                self.written.add(key)
                cells.append((key, module_cell(self.exercise, key)))
        return cells

    def _import(self, module: str, alias: ast.alias, where: str) -> tuple[str, ...]:
        """The modules to write out for ``from module import alias``; remembers the name it binds."""
        table = imports(self.exercise)
        if (module, alias.name) not in table and (module, "*") not in table:
            raise ValueError(f"{where}: the graded release cannot write out `from {module} import {alias.name}`")
        modules = modules_for(self.exercise, module, alias.name)
        if modules is None:
            self.dropped_names.add(alias.asname or alias.name)
            return ()
        if module == PACKAGE:
            self.module_names.add(alias.asname or alias.name)
        return modules
