"""The lesson's helper modules written out as plain notebook code, for a release that must run
with only the lesson's libraries installed (TensorFlow/Keras, NumPy, pandas, matplotlib, seaborn).

The code is generated from the modules' own source files, so the package stays the one
source of truth: ``data.py`` (``load_datasets``: the real CIFAR-10, the offline sample,
``AUTOGRADER_DATA`` and ``AUTOGRADER_SAMPLE_SIZE``), ``model.py`` (``build_model_intro``) and
``figures.py`` (the lesson's two figures, with their data from ``resources/*.json`` embedded).
Module docstrings, ``from __future__`` lines and imports of this package are left out; what
``figures.py`` reads from the package is replaced by literals. Anything left that would need
the package raises ValueError, so a change to those modules cannot ship a broken release.
The modules are read, not imported: building a course does not import TensorFlow.
"""
from __future__ import annotations

import ast
import importlib.util
import json
import pprint
import re
from dataclasses import dataclass, field
from pathlib import Path

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


def module_code(module: str, drop: set[str] = frozenset(), calls: dict[str, str] | None = None,
                drop_guards: set[str] = frozenset(), after_imports: str = "") -> str:
    """``module``'s source as notebook code, without its docstring, ``__future__`` and package imports.

    ``drop``: top-level definitions to leave out (with the comments just above them);
    ``calls``: argument-less calls ``f()`` to replace by an expression, ``{"f": "F"}``;
    ``drop_guards``: ``if g(): ...`` statements (anywhere) to leave out, for g in the set;
    ``after_imports``: code to put right after the module's imports.
    Imports that nothing uses any more are left out too.
    """
    calls = calls or {}
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


def data_code() -> str:
    """``autograder/data.py`` as notebook code: ``load_datasets()`` and what it needs."""
    return _check(module_code(f"{PACKAGE}.data"), "autograder/data.py", set())


def model_code() -> str:
    """``autograder/model.py`` as notebook code (it uses ``IMAGE_SHAPE`` and ``NUM_CLASSES`` of ``data_code``)."""
    return _check(module_code(f"{PACKAGE}.model"), "autograder/model.py", set())


def _constant(source: str, name: str) -> object:
    """The value of the module-level constant ``name = <literal>`` in ``source``."""
    for stmt in ast.parse(source).body:
        if isinstance(stmt, ast.Assign) and name in _defined_names(stmt):
            return ast.literal_eval(stmt.value)
    raise ValueError(f"no constant {name} to read")


def _literal(name: str, value: object) -> str:
    return f"{name} = " + pprint.pformat(value, width=100, compact=True, sort_dicts=False)


def figures_code() -> str:
    """``autograder/figures.py`` as notebook code, with the figures' data as literals."""
    from .reference import load_reference_history, read_resource

    name = f"{PACKAGE}.figures"
    lr_file = _constant(module_source(name), "LR_CURVES_FILE")
    constants = ["# The data of the lesson's two figures.",
                 _literal("LR_CURVES", json.loads(read_resource(lr_file))),
                 _literal("REFERENCE_HISTORY", load_reference_history())]
    code = module_code(name, drop={"LR_CURVES_FILE", "load_lr_curves"},
                       calls={"load_lr_curves": "LR_CURVES", "load_reference_history": "REFERENCE_HISTORY"},
                       drop_guards={"in_grader"}, after_imports="\n".join(constants))
    return _check(code, "autograder/figures.py",
                  {"in_grader", "load_lr_curves", "load_reference_history", "read_resource", "LR_CURVES_FILE"})


# What each `from autograder... import name` of the lesson becomes in a standalone release:
# the modules to write out (None: the name is dropped, e.g. the self-check).
WRITTEN_OUT: dict[tuple[str, str], tuple[str, ...] | None] = {
    ("autograder", "selfcheck"): None,
    ("autograder", "figures"): ("figures",),
    ("autograder.data", "*"): ("data",),
    ("autograder.model", "*"): ("data", "model"),
}
MODULE_CODE = {"data": data_code, "model": model_code, "figures": figures_code}
MODULE_HEADERS = {
    "data": ("# The lesson's data (given): `load_datasets()` returns the real CIFAR-10 (from Keras' cache, else\n"
             "# a 170 MB download); without a network it falls back to a small offline sample. Set the\n"
             "# environment variable AUTOGRADER_DATA to `cifar10` or `sample` to choose.\n"),
    "model": "# The model of the previous episode (given).\n",
    "figures": "# The lesson's figures (given).\n",
}


def modules_for(module: str, name: str) -> tuple[str, ...] | None:
    """The modules to write out for ``from module import name``; KeyError if there is no written-out form."""
    if (module, name) in WRITTEN_OUT:
        return WRITTEN_OUT[(module, name)]
    return WRITTEN_OUT[(module, "*")]


def module_cell(key: str) -> str:
    """The source of the notebook cell that writes out module ``key`` ("data", "model" or "figures")."""
    return MODULE_HEADERS[key] + "\n" + MODULE_CODE[key]()


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
    """Rewrites the lesson's given code cells, in order, to run without the package.

    It remembers across cells which names the package's imports bound and which modules are
    already written out.
    """

    written: set[str] = field(default_factory=set)  # modules written out so far
    dropped_names: set[str] = field(default_factory=set)  # e.g. selfcheck: statements calling it go
    module_names: set[str] = field(default_factory=set)  # e.g. figures: `figures.f()` becomes `f()`

    def code(self, source: str, where: str) -> list[tuple[str, str]]:
        """One given code cell as cells that run without the package, as ``(kind, source)``.

        The cell itself (kind "lesson") loses its imports of the package and its self-check
        calls and comments, and calls ``f()`` for ``figures.f()``; it is left out if only
        comments are left. After it come the written-out modules it imported (kinds "data",
        "model", "figures"), each once per notebook. Raises ValueError, naming ``where``, for a
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
        for key in MODULE_CODE:  # in dependency order
            if key in needed and key not in self.written:
                self.written.add(key)
                cells.append((key, module_cell(key)))
        return cells

    def _import(self, module: str, alias: ast.alias, where: str) -> tuple[str, ...]:
        """The modules to write out for ``from module import alias``; remembers the name it binds."""
        key = (module, alias.name)
        if key not in WRITTEN_OUT and (module, "*") not in WRITTEN_OUT:
            raise ValueError(f"{where}: the graded release cannot write out `from {module} import {alias.name}`")
        modules = modules_for(*key)
        if modules is None:
            self.dropped_names.add(alias.asname or alias.name)
            return ()
        if module == PACKAGE:
            self.module_names.add(alias.asname or alias.name)
        return modules
