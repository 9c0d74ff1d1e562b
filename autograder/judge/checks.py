"""The judge: pure functions from plain facts to verdicts, one per check tag of an exercise.

Inputs are plain data only (the static summary of the submission, the last facts snapshot of
its run, and how the run ended), so every check can be unit-tested without TensorFlow. This module
knows no exercise: ``evaluate`` judges the checks an exercise lists with the functions it maps them
to (its ``checks.CHECK_FUNCTIONS``), and every lesson word (messages, names, accepted answers) comes
from that exercise's table. Here: the verdict types, the context checks read, the gates every check
passes first, the explanation of raised errors, and the reader of free-text answers.
"""
from __future__ import annotations

import ast
import difflib
import re
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache
from types import ModuleType

from autograder import exercises
from autograder.facts.schema import Facts
from autograder.judge import rubric as R
from autograder.exercises import Exercise
from autograder.run.sizes import human_size
from autograder.read.source import place

PASSED, FAILED, NOT_ATTEMPTED, UNCHECKABLE = "passed", "failed", "not_attempted", "uncheckable"


@dataclass
class Result:
    """One check's verdict, in the shape every report uses."""

    tag: str
    title: str
    challenge: str
    status: str
    score: float
    max_score: float
    output: str
    answer: str | None = None  # what the learner gave, for class reports ("categorical_crossentropy")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Verdict:
    status: str
    output: str = ""
    answer: str | None = None


class Context:
    """Everything a check may look at, as plain data, with small helpers to read it.

    ``exercise`` is the exercise being graded (its table gives every lesson word: ``ctx.table``);
    ``check`` is the ``rubric.Check`` being judged, set by ``evaluate``.
    """

    def __init__(self, static: dict, run: dict | None, limits: dict | None = None,
                 exercise: Exercise | None = None) -> None:
        self.static = static
        self.run = run or {}
        self.limits = limits or {}
        self.exercise = exercise
        self.check: R.Check | None = None
        snap = self.run.get("snapshot") or {}
        self.facts: Facts = snap.get("facts") or {}  # the shape declared in autograder/facts/schema.py
        self.cells: list[dict] = snap.get("cells") or []
        self._cell_lines = {c["index"]: c.get("first_line") for c in static.get("cells", [])}
        # A cell may name its own place (the self-check's "your cell In [5]"), else it is computed.
        self._cell_places = {c["index"]: c["place"] for c in static.get("cells", []) if c.get("place")}

    @property
    def table(self) -> ModuleType:
        """The exercise's table (``autograder/exercises/<name>/table.py``)."""
        if self.exercise is None:
            raise ValueError("this Context has no exercise, so no table to read lesson words from")
        return self.exercise.table

    def where(self, cell_index: int, line: int | None) -> str:
        if cell_index in self._cell_places:
            return self._cell_places[cell_index] + (f", line {line}" if line is not None else "")
        return place(self.static.get("name", "submission"), cell_index, self._cell_lines.get(cell_index), line)

    def problems(self, challenge: str, kind: str) -> list[dict]:
        return [p for p in self.static.get("problems", []) if p["challenge"] == challenge and p["kind"] == kind]

    def blank_places(self, challenge: str) -> str | None:
        """Where this challenge's blanks are, e.g. "lesson.py, lines 111, 112 and 113"."""
        places = list(dict.fromkeys(p["where"] for p in self.problems(challenge, "blank")))
        if not places:
            return None
        prefix = places[0].rsplit("line ", 1)[0]
        if len(places) == 1 or not all(p.startswith(prefix) and "line " in p for p in places):
            return "; ".join(places)
        numbers = [p.rsplit("line ", 1)[1] for p in places]
        return f"{prefix}lines {', '.join(numbers[:-1])} and {numbers[-1]}"

    def errors(self, challenge: str) -> list[str]:
        """Learner-facing explanations of the errors raised by this challenge's cells."""
        out = []
        for c in self.cells:
            if c.get("challenge") == challenge and c.get("status") == "error" and c.get("error"):
                error = self._recorded(c["error"])
                out.append(f"{self.where(c['index'], c['error'].get('line'))}: {explain_error(error, self)}")
        return out

    def error_where(self, error: dict) -> str | None:
        """The place (cell and line) where a recorded compile/fit error was raised, if a cell raised it."""
        for c in reversed(self.cells):
            if c.get("status") == "error" and c.get("error") and _same_error(c["error"], error):
                return self.where(c["index"], c["error"].get("line"))
        return None

    def _recorded(self, error: dict) -> dict:
        """The compile/fit facts' copy of a cell's error when it is the same one (it keeps the end of a
        long message, where TensorFlow puts the meaningful line)."""
        for recorded in ((self.facts.get("compile") or {}).get("error"),
                         ((self.facts.get("fit") or {}).get("last_call") or {}).get("error")):
            if isinstance(recorded, dict) and _same_error(error, recorded):
                return {**error, **recorded}
        return error

    def stopped_before(self, challenge: str) -> str | None:
        """Why this challenge's cells did not all finish, or None when they did (or had nothing to run)."""
        outcome = self.run.get("outcome", "exited")
        if not self.run.get("snapshot"):
            return limit_text(outcome if outcome != "exited" else "no_facts", self.limits)
        ran = {c["index"]: c["status"] for c in self.cells}
        mine = [c["index"] for c in self.static.get("cells", []) if c.get("challenge") == challenge]
        unfinished = [i for i in mine if ran.get(i) in (None, "running")]
        if not unfinished:
            return None
        running = [c for c in self.cells if c["status"] == "running"]
        reason = limit_text(outcome if outcome != "exited" else "ended", self.limits)
        if running:
            return f"{reason} while running {self.where(running[-1]['index'], None)}, so this part never ran"
        return f"{reason}, so this part never ran"


def _same_error(a: dict, b: dict) -> bool:
    """The same raised error, seen by the harness (a cell's outcome) and by the facts (compile/fit)."""
    return a.get("type") == b.get("type") and str(a.get("message", ""))[:200] == str(b.get("message", ""))[:200]


def limit_text(outcome: str, limits: dict) -> str:
    """How a run ended, for a learner ("the time limit of 120 s was reached")."""
    text = R.LIMIT_MESSAGES.get(outcome, R.LIMIT_MESSAGES["worker_error"])
    return text.format(timeout=limits.get("timeout", 0) or 0, memory=human_size(int(limits.get("memory", 0) or 0)))


def explain_error(error: dict, ctx: Context | None = None, table: ModuleType | None = None) -> str:
    """Reduce a raised error to what a learner should know and change.

    The lesson's words come from an exercise's table: ``ctx.table`` when the run's context is given,
    else ``table``. With the context, a failed ``compile`` or ``fit`` is traced to its root cause in
    the facts (a regression loss, a metric for one-hot labels, an argument of the wrong kind, a
    compile that failed earlier, named with its place). Then the message is recognised by the table's
    patterns (``ERROR_EXPLANATIONS``); an error nobody foresaw keeps its type and the meaningful line
    of its message.
    """
    if ctx is not None and ctx.exercise is not None:
        table = ctx.table
    if table is None:
        raise ValueError("explain_error needs the exercise: pass ctx (a Context with an exercise) or table")
    facts = ctx.facts if ctx is not None else {}
    text = f"{error.get('type', 'Error')}: {error.get('message') or ''}"
    for explain in (_explain_defined_later, _explain_name, _explain_identifier, _explain_keyword, _explain_metrics_not_list,
                    _explain_fit_arguments, _explain_not_compiled, _explain_labels, _explain_missing_column,
                    _explain_loss_weights, _explain_module_attribute):
        found = explain(text, facts, ctx, table)
        if found:
            return found
    for pattern, message in table.ERROR_EXPLANATIONS:
        m = re.search(pattern, text, re.S)
        if m:
            return message.format(**m.groupdict())
    line = meaningful_line(error.get("message") or "")
    return f"{error.get('type', 'Error')}: {line}".rstrip(": ")


def meaningful_line(message: str) -> str:
    """The line of an error message worth showing: TensorFlow's graph errors bury it under stack
    frames ("Graph execution error:", "Detected at node ...", "File ..."), so there it is the last
    line that is not one of those; otherwise the first."""
    lines = [line.strip() for line in message.splitlines()]
    kept = [line for line in lines if line and line != "..." and not any(re.search(p, line) for p in R.ERROR_NOISE_LINES)]
    if not kept:
        return ""
    noisy = len(kept) < len([line for line in lines if line and line != "..."])
    line = kept[-1] if noisy else kept[0]
    line = re.sub(r"\s*\[\[\{\{node [^\]]*\]\]|\s*\[Op:[^\]]*\].*$|^\{\{function_node [^}]*\}\}\s*", "", line).strip()
    return line[:297] + "..." if len(line) > 300 else line


def _normal(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name.lower())


_NAME_TABLES = {"loss": (R.KERAS_LOSS_NAMES, R.KERAS_LOSS_SHORTCUTS),
                "metric": (R.KERAS_METRIC_NAMES, R.KERAS_METRIC_SHORTCUTS),
                "optimizer": (R.KERAS_OPTIMIZER_NAMES, frozenset())}


def _lesson_identifier(kind: str, table: ModuleType | None) -> tuple[str, str] | None:
    """The identifier the exercise uses for a ``kind`` of name, and how its lesson writes it
    (``("adam", "optimizer='adam'")``), from the table's ``KERAS_IDENTIFIERS``; None without one."""
    return (getattr(table, "KERAS_IDENTIFIERS", None) or {}).get(kind) if table is not None else None


@lru_cache(maxsize=None)
def _canonical_names(kind: str) -> dict[str, str]:
    """Normalised spelling ("meansquarederror") -> the snake_case identifier, for one kind of name."""
    names, shortcuts = _NAME_TABLES[kind]
    table = {_normal(n): n for n in sorted(names | shortcuts) if n == n.lower()}
    table.update({_normal(short): full for short, full in R.KERAS_ACRONYMS.items()})
    return table


def keras_name(name: str, kind: str) -> tuple[bool, str]:
    """For a string identifier of a ``kind`` ("loss", "metric", "optimizer"): whether the installed
    Keras understands it, and its canonical snake_case name ("MSE" -> "mean_squared_error")."""
    names, shortcuts = _NAME_TABLES[kind]
    low = name.lower()
    if kind == "optimizer":
        return low in names, low
    if low in shortcuts:
        return True, R.KERAS_ACRONYMS.get(low, low)
    return name in names, _canonical_names(kind).get(_normal(name), low)


def suggest_name(name: str, kind: str, table: ModuleType | None = None) -> str | None:
    """The known identifier closest to a misspelled one, or None when none is close; ties go to the
    identifier the exercise uses (its table's ``KERAS_IDENTIFIERS``)."""
    known = {k: v for k, v in _canonical_names(kind).items() if v not in R.KERAS_INTERNAL_NAMES}
    lesson = _lesson_identifier(kind, table)
    prefer = ([_normal(lesson[0])] if lesson else []) + sorted(known)
    found = _closest(_normal(name), prefer)
    return known[found] if found else None


def unknown_name(kind: str, given: str, table: ModuleType) -> str:
    """"Keras does not know the loss `'x'`: did you mean ...?", in the exercise's words."""
    messages = table.KERAS_ERROR_MESSAGES
    suggestion = suggest_name(given, kind, table)
    text = (messages["did_you_mean"].format(suggestion=repr(suggestion)) if suggestion
            else messages["no_suggestion"])
    lesson = _lesson_identifier(kind, table)
    if lesson and suggestion != lesson[0]:
        text += messages["lesson_uses"].format(lesson=lesson[1])
    return messages[f"unknown_{kind}"].format(given=repr(given), suggestion=text)


def _internal(name: str) -> bool:
    """A name Keras knows but a learner never means (a base class, a wrapper)."""
    return _normal(name) in {_normal(n) for n in R.KERAS_INTERNAL_NAMES}


def _closest(word: str, choices) -> str | None:
    """The choice closest to ``word``: difflib's close matches, ranked by the fewest edits (a swap of two
    neighbouring letters is one edit, so "adma" is "adam", not "adamax"), ties in the order of ``choices``."""
    choices = list(dict.fromkeys(choices))
    found = difflib.get_close_matches(word, choices, n=len(choices), cutoff=R.SUGGESTION_CUTOFF)
    return min(found, key=lambda c: (_edits(word, c), choices.index(c))) if found else None


def _edits(a: str, b: str) -> int:
    """Edit distance with swaps of neighbouring letters (optimal string alignment)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def _explain_name(text: str, facts: dict, ctx: Context | None, table: ModuleType) -> str | None:
    """A name Python does not know: a Keras class without `keras.`, a Keras name without quotes, a typo."""
    m = re.match(r"NameError: name '(?P<name>[^']+)' is not defined", text)
    if not m or m["name"] in table.LESSON_NAMES:
        return None
    name = m["name"]
    if name == "tf":
        return table.KERAS_ERROR_MESSAGES["name_tf"]
    camel = name[:1].isupper() and not name.isupper() and not _internal(name)
    for module, known in (("optimizers", R.KERAS_OPTIMIZER_CLASSES), ("losses", R.KERAS_LOSS_NAMES),
                          ("metrics", R.KERAS_METRIC_NAMES)):
        if camel and name in known:
            return table.KERAS_ERROR_MESSAGES["name_keras_class"].format(name=name, module=module)
    if any(keras_name(name, kind)[0] for kind in _NAME_TABLES):
        return table.KERAS_ERROR_MESSAGES["name_keras_string"].format(name=name)
    close = _closest(name, table.LESSON_NAMES)
    return table.KERAS_ERROR_MESSAGES["name_close"].format(name=name, suggestion=close) if close else None


def _explain_defined_later(text: str, facts: dict, ctx: Context | None, table: ModuleType) -> str | None:
    """One of the lesson's names that did not exist yet, though the run made it later: the cell
    that makes it ran after the one that needed it (cells out of order)."""
    m = re.match(r"NameError: name '(?P<name>[^']+)' is not defined", text)
    if not m:
        return None
    role = {v: k for k, v in table.NAMES.items()}.get(m["name"])
    made = {"history": ((facts.get("fit") or {}).get("history") or {}).get("defined"),
            "df": ((facts.get("plot") or {}).get("df") or {}).get("defined"),
            "model": (facts.get("compile") or {}).get("model") == "ok"}.get(role or "")
    return table.KERAS_ERROR_MESSAGES["defined_later"].format(name=m["name"]) if made else None


def _explain_identifier(text: str, facts: dict, ctx: Context | None, table: ModuleType) -> str | None:
    """"Could not interpret loss identifier: sparse_categorical_crossentropi" and the like."""
    m = re.search(r"Could not interpret (?P<kind>loss|metric|optimizer) identifier: (?P<name>[^\n]*)", text)
    if not m:
        return None
    kind, name = m["kind"], m["name"].strip()
    module = {"loss": "keras.losses", "metric": "keras.metrics", "optimizer": "keras.optimizers"}[kind]
    cls = re.match(r"<class '(?:[\w.]+\.)?(?P<cls>\w+)'>$", name)
    if cls:
        return table.KERAS_ERROR_MESSAGES["class_not_instance"].format(name=cls["cls"], module=module)
    if kind == "optimizer":
        opt = (facts.get("compile") or {}).get("optimizer") or {}
        if opt.get("given_as") not in (None, "str"):
            return table.OPTIMIZER_MESSAGES["other"].format(given=_render_optimizer(opt))
    return unknown_name(kind, name, table)


def _explain_keyword(text: str, facts: dict, ctx: Context | None, table: ModuleType) -> str | None:
    """A misspelled keyword argument of `compile` or `fit`: "did you mean `validation_data`?"."""
    m = re.search(r"(?P<func>\w+)\(\) got an unexpected keyword argument '(?P<keyword>\w+)'", text)
    if not m or m["func"] not in ("fit", "compile"):
        return None
    arguments = R.FIT_ARGUMENTS if m["func"] == "fit" else R.COMPILE_ARGUMENTS
    close = _closest(m["keyword"].lower(), arguments)
    suggestion = (table.KERAS_ERROR_MESSAGES["did_you_mean"].format(suggestion=close) if close else
                  table.KERAS_ERROR_MESSAGES["keyword_choices"].format(choices=", ".join(f"`{a}`" for a in arguments[:5])))
    return table.KERAS_ERROR_MESSAGES["unexpected_keyword"].format(func=m["func"], keyword=m["keyword"],
                                                                suggestion=suggestion)


_MODULE_CLASSES = {"layers": R.KERAS_LAYER_CLASSES, "optimizers": R.KERAS_OPTIMIZER_CLASSES}


def _explain_module_attribute(text: str, facts: dict, ctx: Context | None, table: ModuleType) -> str | None:
    """`keras.layers.dropout`, `keras.optimizers.adam()`: a Keras class misspelled (names are case-sensitive)."""
    m = re.search(r"AttributeError: module '(?P<module>(?:tensorflow\.)?keras(?:\.\w+)*)' has no attribute '(?P<name>\w+)'",
                  text)
    if not m:
        return None
    module = m["module"].replace("keras.api.", "keras.").replace("keras.src.", "keras.")
    classes = _MODULE_CLASSES.get(module.rsplit(".", 1)[-1], ())
    same = [c for c in classes if c.lower() == m["name"].lower()]
    found = same[0] if same else _closest(m["name"], classes)
    if found is None:
        return table.KERAS_ERROR_MESSAGES["no_attribute"].format(module=module, name=m["name"])
    return table.KERAS_ERROR_MESSAGES["no_attribute_suggestion"].format(module=module, name=m["name"], suggestion=found)


def _explain_metrics_not_list(text: str, facts: dict, ctx: Context | None, table: ModuleType) -> str | None:
    """`metrics='accuracy'`, `metrics=SparseCategoricalAccuracy()`, `metrics={'accuracy'}`."""
    m = re.search(r"Expected `metrics` argument to be a list.*?metrics=(?P<value>.*) of type <class '(?P<kind>[\w.]+)'>",
                  text, re.S)
    if not m:
        return None
    metrics = (facts.get("compile") or {}).get("metrics") or {}
    kind = metrics.get("given_as") or m["kind"].rsplit(".", 1)[-1]
    if kind == "str":
        value = metrics.get("value") if isinstance(metrics.get("value"), str) else m["value"]
        return table.KERAS_ERROR_MESSAGES["metrics_not_list_str"].format(value=value)
    if kind in ("set", "frozenset"):
        return table.KERAS_ERROR_MESSAGES["metrics_not_list_set"].format(given=m["value"][:60])
    items = metrics.get("items") or []
    item = items[0] if len(items) == 1 else {}
    if item.get("given_as") == "instance":
        given = f"keras.metrics.{kind}()"
    elif item.get("given_as") in ("function", "class"):
        given = f"keras.metrics.{item.get('name')}"
    else:
        cls = re.match(r"<(?P<cls>\w+) name=", m["value"])
        given = f"keras.metrics.{cls['cls']}()" if cls else m["value"][:60]
    return table.KERAS_ERROR_MESSAGES["metrics_not_list_obj"].format(given=given)


_DATA_KINDS = ("ndarray", "Tensor", "EagerTensor")


def _explain_fit_arguments(text: str, facts: dict, ctx: Context | None, table: ModuleType) -> str | None:
    """`x` or `validation_data` of the wrong kind (text in quotes, a pair, ...), `epochs` not a whole number."""
    last = (facts.get("fit") or {}).get("last_call") or {}
    m = re.search(r"Unrecognized data type: x=(?P<value>.*) \(of type <class '(?P<kind>[\w.]+)'>\)", text, re.S)
    if m:
        if not last:
            kind = m["kind"].rsplit(".", 1)[-1]
            if kind == "str":
                return table.KERAS_ERROR_MESSAGES["data_text"].format(value=m["value"])
            return table.KERAS_ERROR_MESSAGES["data_other"].format(given=f"`{m['value'][:60]}`", kind=kind)
        x_desc = last.get("x_desc") or {}
        names = getattr(table, "NAMES", {})
        x_ok = last.get("x") in (names.get("train"), names.get("val")) or str(x_desc.get("given_as", "")).endswith("Dataset") \
            or x_desc.get("given_as") in _DATA_KINDS
        which, desc = ("validation", last.get("validation_desc") or {}) if x_ok else ("x", x_desc)
        kind = str(desc.get("given_as", "value"))
        if kind == "str":
            return table.KERAS_ERROR_MESSAGES[f"{which}_text"].format(value=desc.get("value"))
        if which == "x" and kind in ("tuple", "list") and last.get("x_items"):
            return table.KERAS_ERROR_MESSAGES["x_pair"].format(kind=kind, count=len(last["x_items"]))
        return table.KERAS_ERROR_MESSAGES[f"{which}_other"].format(given=f"`{_render_value(desc)[:60]}`", kind=kind)
    if re.search(r"cannot be interpreted as an integer", text):
        epochs = last.get("epochs") or {}
        if epochs and epochs.get("given_as") != "int":
            return table.KERAS_ERROR_MESSAGES["epochs_type"].format(given=_render_value(epochs))
    return None


def _explain_not_compiled(text: str, facts: dict, ctx: Context | None, table: ModuleType) -> str | None:
    """`fit` on a model that is not compiled: name the compile error it follows from, with its place."""
    if not re.search(r"must call `compile\(\)`", text):
        return None
    compiled = facts.get("compile") or {}
    error = compiled.get("error")
    if compiled.get("compiled") and not error:  # the exercise's model is compiled: fit ran on another one
        return table.KERAS_ERROR_MESSAGES["fit_other_model"]
    if not error or re.search(r"must call `compile\(\)`", str(error.get("message"))):
        # compile never ran: did the compile cell fail before reaching it (`Adam()` not imported, ...)?
        compile_challenges = _compile_challenges(ctx)
        failed = [c for c in (ctx.cells if ctx is not None else []) if c.get("challenge") in compile_challenges
                  and c.get("status") == "error" and c.get("error")
                  and not re.search(r"must call `compile\(\)`", str(c["error"].get("message")))]
        if not failed:
            return None  # the rubric's pattern: compile has not been run
        c = failed[-1]
        return table.KERAS_ERROR_MESSAGES["compile_cell_failed"].format(
            where=ctx.where(c["index"], c["error"].get("line")), explanation=explain_error(c["error"], ctx, table))
    where = ctx.error_where(error) if ctx is not None else None
    return table.KERAS_ERROR_MESSAGES["compile_failed"].format(where=f" at {where}" if where else "",
                                                           explanation=explain_error(error, ctx, table))


def _compile_challenges(ctx: Context | None) -> set[str]:
    """The exercise's challenges that compile its model (those judged by the generic compile checks)."""
    if ctx is None or ctx.exercise is None:
        return set()
    from autograder.judge.keras_checks import COMPILE_CHECKS, challenges_judged_by  # it imports this module

    return set(challenges_judged_by(ctx.exercise, COMPILE_CHECKS))


_SHAPE_ERROR = re.compile(r"Incompatible shapes|must have the same rank|must have rank|expects 2D inputs|"
                          r"Shape must be rank|does not start with segment_ids|same leading dimension")


def _loss_canonical(loss: dict) -> str:
    name = str(loss.get("value") if loss.get("given_as") == "str" else loss.get("name") or "")
    return keras_name(name, "loss")[1]


def _metric_canonical(item: dict) -> str:
    return keras_name(str(item.get("name") or ""), "metric")[1]


def _given_name(fact: dict) -> str:
    """A loss or metric as the learner named it: the string as written, else the class or function name."""
    if fact.get("given_as") == "str" and isinstance(fact.get("value"), str):
        return fact["value"]
    return str(fact.get("name") or fact.get("repr") or "?")


def _render_optimizer(opt: dict) -> str:
    """An optimizer as the learner gave it: "'sgd'", "keras.optimizers.Adam(learning_rate=0.01)", "the class Adam"."""
    if opt.get("given_as") == "str":
        return repr(opt.get("value"))
    name = opt.get("name") or opt.get("repr") or "?"
    if opt.get("given_as") == "class":
        return f"the class {name}"
    lr = opt.get("learning_rate")
    return f"keras.optimizers.{name}(learning_rate={lr:g})" if isinstance(lr, float) else str(name)


# How Keras names the accuracy in the History: as written in `metrics`.
_ACCURACY_KEYS = ("accuracy", "acc", "sparse_categorical_accuracy")


def accuracy_key(keys: list[str]) -> str | None:
    """The history key of the accuracy metric: Keras names it as written in ``metrics``
    (``'acc'``, ``'Accuracy'``, ``'SparseCategoricalAccuracy'`` ...)."""
    accepted = {k.replace("_", "") for k in _ACCURACY_KEYS}
    return next((k for k in keys if not k.startswith("val_") and k.replace("_", "").lower() in accepted), None)


def metrics_as_loss_weights(compiled: dict) -> str | None:
    """The metrics a learner gave as `compile`'s third positional argument (Keras 2's `metrics`, Keras 3's
    `loss_weights`), as they wrote them; None when `loss_weights` holds no metric name."""
    weights = compiled.get("loss_weights") or {}
    names = [str(i.get("name", "")) for i in weights.get("items") or [] if i.get("given_as") == "str"]
    if names and all(keras_name(n, "metric")[0] for n in names):
        return "[" + ", ".join(f"'{n}'" for n in names) + "]"
    return None


def _explain_loss_weights(text: str, facts: dict, ctx: Context | None, table: ModuleType) -> str | None:
    """`fit` failing on metric names given as `loss_weights` (a string where Keras needs a weight)."""
    misplaced = metrics_as_loss_weights(facts.get("compile") or {})
    if not misplaced or not re.search(r"dtype='?string'?|could not convert string to float|Cannot convert|"
                                      r"`loss_weights` argument must be", text):
        return None
    return table.METRICS_MESSAGES["as_loss_weights"].format(given=misplaced)


def _explain_missing_column(text: str, facts: dict, ctx: Context | None, table: ModuleType) -> str | None:
    """A KeyError for columns the History does not have: no validation data, the accuracy named
    after another metric, or simply the keys it has."""
    if not text.startswith("KeyError"):
        return None
    keys = ((facts.get("fit") or {}).get("history") or {}).get("keys") or []
    asked = re.findall(r"'([^']*)'", re.sub(r"dtype='[^']*'", "", text))
    missing = [name for name in dict.fromkeys(asked) if name not in keys]
    if not keys or not missing:
        return None
    messages = table.KERAS_ERROR_MESSAGES
    if any(n.startswith("val_") for n in missing) and not any(k.startswith("val_") for k in keys):
        return messages["column_no_validation"].format(column=f"'{next(n for n in missing if n.startswith('val_'))}'")
    acc = accuracy_key(keys)
    wants_accuracy = [n for n in missing if n.removeprefix("val_") == "accuracy"]
    if acc and acc != "accuracy" and wants_accuracy:
        return messages["column_accuracy_key"].format(column=f"'{wants_accuracy[0]}'", acc=acc)
    close = _closest(missing[0], keys)
    return messages["column_missing"].format(
        columns=", ".join(f"`'{n}'`" for n in missing) + (" is" if len(missing) == 1 else " are"),
        suggestion=messages["column_suggestion"].format(name=close) if close else ".",
        keys=", ".join(f"`'{k}'`" for k in keys))


def _explain_labels(text: str, facts: dict, ctx: Context | None, table: ModuleType) -> str | None:
    """A shape error in training, caused by a loss or metric that needs other labels than ours."""
    if not _SHAPE_ERROR.search(text):
        return None
    compiled = facts.get("compile") or {}
    loss = compiled.get("loss") or {}
    kind = R.LABEL_KINDS.get(_loss_canonical(loss)) if loss.get("given_as") not in (None, "missing", "blank") else None
    if kind:
        return table.LABEL_KIND_MESSAGES["loss"][kind].format(given=_given_name(loss))
    for item in (compiled.get("metrics") or {}).get("items") or []:
        kind = R.LABEL_KINDS.get(_metric_canonical(item))
        if kind:
            return table.LABEL_KIND_MESSAGES["metric"][kind].format(given=_given_name(item))
    m = re.search(r"Incompatible shapes: \[[^\]]*\] vs\. \[[^\]]*\]", text)
    return table.KERAS_ERROR_MESSAGES["shapes"].format(detail=m.group(0)) if m else None


# --- generic gates ------------------------------------------------------------------------------

def _gate(ctx: Context, challenge: str) -> Verdict | None:
    """Verdicts that do not depend on the check itself: syntax errors, runs that stopped."""
    syntax = ctx.problems(challenge, "syntax")
    if syntax:
        p = syntax[0]
        return Verdict(FAILED, R.GATE_MESSAGES["syntax"].format(where=p["where"], message=p["message"]))
    stopped = ctx.stopped_before(challenge)
    if stopped:
        return Verdict(FAILED, R.GATE_MESSAGES["stopped"].format(reason=stopped))
    return None


def _not_attempted(ctx: Context, challenge: str, what: str = "") -> Verdict:
    places = ctx.blank_places(challenge)
    where = f" at {places}" if places else ""
    title = ctx.exercise.challenges[challenge].title
    return Verdict(NOT_ATTEMPTED, R.GATE_MESSAGES["not_attempted"].format(title=title, where=where, what=what))


def _no_result(ctx: Context, challenge: str, fallback: str) -> Verdict:
    """A fact is missing: blanks explain it first, then errors, then the fallback message."""
    if ctx.blank_places(challenge):
        return _not_attempted(ctx, challenge)
    errors = ctx.errors(challenge)
    if errors:
        return Verdict(FAILED, R.GATE_MESSAGES["cell_error"].format(errors=" ".join(errors)))
    return Verdict(FAILED, fallback)


# --- free-text answers -------------------------------------------------------------------------
# Read with the engine's lexicon (``rubric``) and the exercise's question tables: ``TREND_SUBJECTS``
# (which questions ask what a curve does, and the words naming its subject), ``TREND_WORDS_BY_QUESTION``,
# ``BOOL_WORDS_BY_QUESTION`` and ``NEW_DATA_QUESTIONS`` (questions about new data, where a yes word
# about the training data is no answer).

@dataclass(frozen=True)
class Reading:
    """How an answer was read: the canonical answer, or None and why it could not be read."""

    value: object = None
    reason: str = ""  # learner-facing, from rubric ANSWER_REASONS ("" when there is nothing to add)


@dataclass
class _Item:
    """One matched word or phrase of an answer."""

    kind: str  # TREND, YESNO, NO, CONTENT, NEG, HEDGE, BOUNDARY, REASON, NEUTRAL, MIXED, EARLY,
    #            TRAIN, VAL, OWN, OTHER_SUBJECT, AUX, FILLER, INTENS, WORD
    value: object
    text: str
    start: int  # token positions
    end: int
    negated: bool = False


_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[a-z]+(?:'[a-z]+)*|[.,;:!?]")
_SIGNIFICANT = {"TREND", "YESNO", "NO", "CONTENT", "MIXED"}
_ELLIPTIC = {"FILLER", "AUX", "INTENS", "NEG"}


def _words(text: str) -> list[str]:
    """Lower-case word and punctuation tokens, with symbols spelled out and "dont" as "don't"."""
    for symbol, word in R.ANSWER_SYMBOLS.items():
        text = text.replace(symbol, f" {word} ")
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[\u2018\u2019\u201b`\u00b4\u2032]", "'", text)
    text = re.sub(r"\s[-\u2013\u2014]+\s|[/|]", " , ", text)
    text = re.sub(r"[-_\u2013\u2014]", " ", text)
    return [_UNAPOSTROPHED.get(t, t) for t in _TOKEN.findall(text)]


_UNAPOSTROPHED = {w.replace("'", ""): w for w in R.NEGATIONS | R.AUXILIARIES if "'" in w}


@lru_cache(maxsize=None)
def _lexicon(table: ModuleType, name: str) -> tuple[dict[tuple[str, ...], tuple[str, object]],
                                                    dict[str, tuple[str, object]]]:
    """Phrase (as tokens) -> (kind, value) for one question of one exercise's table, and the words a
    typo may stand for. Cached per (table, question): two exercises' questions never mix."""
    entries: list[tuple[str, object, set[str]]] = [
        ("FILLER", None, R.ELLIPSIS_WORDS), ("AUX", None, R.AUXILIARIES),
        ("TRAIN", None, R.TRAINING_WORDS), ("VAL", None, R.VALIDATION_WORDS),
    ]
    entries += [("TREND", reading, words) for reading, words in R.TREND_SPELLINGS.items()]
    subjects = table.TREND_SUBJECTS
    if name in subjects:
        entries += [("TREND", reading, words)
                    for reading, words in table.TREND_WORDS_BY_QUESTION.get(name, {}).items()]
        entries += [("OTHER_SUBJECT", other[0], other[1]) for q, other in subjects.items() if q != name]
        entries.append(("OWN", None, subjects[name][1]))
    entries += [("YESNO", value, words) for value, words in R.BOOL_SPELLINGS.items()]
    entries.append(("INTENS", True, R.INTENSIFIERS))
    entries += [("CONTENT", value, words) for value, words in table.BOOL_WORDS_BY_QUESTION.get(name, {}).items()]
    entries += [("MIXED", None, R.MIXED_WORDS), ("EARLY", None, R.EARLY_WORDS), ("NEUTRAL", None, R.NEUTRAL_PHRASES),
                ("BOUNDARY", None, R.CONTRAST_WORDS), ("REASON", None, R.REASON_WORDS),
                ("NEG", None, R.NEGATIONS), ("HEDGE", None, R.HEDGES)]
    lex: dict[tuple[str, ...], tuple[str, object]] = {}
    for kind, value, words in entries:  # later lists win: a negation is never read as an answer word
        for phrase in words:
            key = tuple(_words(phrase))
            lex[key] = ("NO", False) if kind == "NEG" and lex.get(key) == ("YESNO", False) else (kind, value)
    typos = {key[0]: lex[key] for key in lex
             if len(key) == 1 and len(key[0]) >= R.FUZZY_MIN_LENGTH and lex[key][0] in ("TREND", "YESNO", "CONTENT")}
    return lex, typos


def _one_typo(a: str, b: str) -> bool:
    """True when a and b differ by one letter added, removed, changed, or two neighbours swapped."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])
    return a[i + 1:] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1:]


def _items(table: ModuleType, name: str, tokens: list[str]) -> list[_Item]:
    """Match the longest known phrase at each position; unknown words become WORD (or a typo's word)."""
    lex, typos = _lexicon(table, name)
    longest = max(len(k) for k in lex)
    items, i = [], 0
    while i < len(tokens):
        numbers = _range_at(tokens, i)
        if numbers is not None:
            (a, b), end = numbers
            reading = "increases" if b > a else "decreases" if b < a else "stays the same"
            items.append(_Item("TREND", reading, " ".join(tokens[i:end]), i, end))
            i = end
            continue
        for size in range(min(longest, len(tokens) - i), 0, -1):
            key = tuple(tokens[i:i + size])
            if key in lex:
                kind, value = lex[key]
                break
        else:
            size, token = 1, tokens[i]
            kind, value = ("BOUNDARY", None) if token in ".,;:!?" else ("WORD", None)
            if kind == "WORD" and len(token) >= R.FUZZY_MIN_LENGTH - 1 and token.isalpha():
                near = {typos[w] for w in typos if _one_typo(token, w)}
                if len(near) == 1:
                    kind, value = near.pop()
        items.append(_Item(kind, value, " ".join(tokens[i:i + size]), i, i + size))
        i += size
    return items


def _range_at(tokens: list[str], i: int) -> tuple[tuple[float, float], int] | None:
    """Two numbers "from A to B" starting at token i, and the position after them; None if there are none."""
    start_word, to_word = R.RANGE_WORDS
    if tokens[i] != start_word:
        return None
    numbers, j = [], i + 1
    for expected in (to_word, None):
        while j < len(tokens) and tokens[j] in R.APPROXIMATELY:
            j += 1
        if j >= len(tokens) or not re.fullmatch(r"\d+(?:[.,]\d+)?", tokens[j]):
            return None
        numbers.append(float(tokens[j].replace(",", ".")))
        j += 1
        if expected is not None:
            if j >= len(tokens) or tokens[j] != expected:
                return None
            j += 1
    return (numbers[0], numbers[1]), j


def _clauses(items: list[_Item]) -> tuple[list[list[_Item]], str | None]:
    """The answer's clauses without its reason part, and the word that starts the reason (if any)."""
    if items and items[0].text in R.INTERJECTIONS and len(items) > 1 and items[1].kind in ("BOUNDARY", "YESNO", "NO"):
        items = items[1:]
    reason_at = next((k for k, it in enumerate(items) if it.kind == "REASON"), None)
    reason_text = None
    if reason_at is not None:
        if reason_at == 0:  # "Since they diverge, no": the reason runs to the next punctuation
            stop = next((k for k, it in enumerate(items) if it.kind == "BOUNDARY" and it.text in ".,;:!?"), len(items))
            reason_text, items = items[0].text, items[stop:]
        else:
            reason_text, items = items[reason_at].text, items[:reason_at]
    clauses, current = [], []
    for it in items:
        if it.kind == "BOUNDARY":
            if current:
                clauses.append(current)
            current = []
        else:
            current.append(it)
    if current:
        clauses.append(current)
    return clauses, reason_text


def _negate(clause: list[_Item]) -> list[_Item]:
    """Mark the answer words each negation covers; return the negations that cover nothing but ellipsis."""
    bare = []
    for k, it in enumerate(clause):
        if it.kind == "HEDGE" and it.text in R.HEDGES_UNLESS_NEGATED and k + 1 < len(clause) \
                and clause[k + 1].kind in ("NEG", "NO"):
            it.kind = "AUX"  # "it may not perform well" says no
    for k, it in enumerate(clause):
        if it.kind == "NO":
            rest = clause[k + 1:]
            skip = 0
            while skip < len(rest) and rest[skip].text in R.NO_NEGATES_THROUGH:
                skip += 1
            if skip < len(rest) and rest[skip].kind in _SIGNIFICANT - {"YESNO", "NO"}:
                it.kind = "NEG"  # "no overfitting", "no real change"
                rest[skip].negated = not rest[skip].negated
            continue
        if it.kind != "NEG":
            continue
        covered = [r for r in clause[k + 1:] if r.kind in _SIGNIFICANT and r.start - it.end < R.NEGATION_WINDOW]
        for r in covered:
            r.negated = not r.negated
        if not covered and all(r.kind in _ELLIPTIC for r in clause[k + 1:]):
            bare.append(it)
    return bare


def _quote(text: str) -> str:
    return f'"{text}"'


def _said(item: _Item) -> str:
    """A trend as written, with its reading when the words differ: '"goes down" (decreases)'."""
    return _quote(item.text) if item.text == item.value else f"{_quote(item.text)} ({item.value})"


def _read_text(table: ModuleType, name: str, text: str) -> Reading:
    """Read a free-text answer for question ``name``."""
    if not text.strip():
        return Reading(None, R.ANSWER_REASONS["empty"])
    whole = re.sub(r"^[\s'\"`]+|[\s'\"`.!]+$", "", text).lower()
    if len(text) > R.MAX_ANSWER_CHARS:
        return Reading(None, R.ANSWER_REASONS["too_long"].format(limit=R.MAX_ANSWER_CHARS))
    is_trend = name in table.TREND_SUBJECTS
    if not is_trend and whole in R.BOOL_WHOLE_ANSWERS:
        return Reading(R.BOOL_WHOLE_ANSWERS[whole])
    clauses, reason_only = _clauses(_items(table, name, _words(text)))
    bare = [b for clause in clauses for b in _negate(clause)]
    flat = [it for clause in clauses for it in clause]
    hedges = [it for it in flat if it.kind == "HEDGE"]
    if hedges:
        return Reading(None, R.ANSWER_REASONS["hedge"].format(text=_quote(hedges[0].text)))
    reading = _read_trend(table, name, clauses) if is_trend else _read_bool(table, name, clauses, bare)
    if reading.value is not None or reading.reason:
        return reading
    if reason_only:
        return Reading(None, R.ANSWER_REASONS["reason_only"].format(text=_quote(reason_only)))
    return reading


def _read_trend(table: ModuleType, name: str, clauses: list[list[_Item]]) -> Reading:
    """One trend, said plainly, from the clauses about this curve (else about its validation curve)."""
    own, other = table.TREND_SUBJECTS[name][0], None
    groups: dict[str, list[_Item]] = {"main": [], "val": [], "other": []}
    topic = "main"
    for clause in clauses:
        kinds = {it.kind for it in clause}
        if kinds & {"VAL", "TRAIN", "OWN", "OTHER_SUBJECT"}:  # otherwise the subject carries over
            if "OTHER_SUBJECT" in kinds and "OWN" not in kinds:
                topic = "other"
                other = next(it.value for it in clause if it.kind == "OTHER_SUBJECT")
            else:
                topic = "val" if "VAL" in kinds and "TRAIN" not in kinds else "main"
        groups[topic] += clause
    for topic in ("main", "val"):
        trends = [it for it in groups[topic] if it.kind == "TREND"]
        said = [it for it in trends if not it.negated]
        if not said:
            continue
        readings = list(dict.fromkeys(it.value for it in said))
        if len(readings) > 1:
            first = said[0]
            second = next(it for it in said if it.value != first.value)
            return Reading(None, R.ANSWER_REASONS["both"].format(first=_said(first), second=_said(second)))
        denied = next((it for it in trends if it.negated and it.value == readings[0]), None)
        if denied is not None:
            return Reading(None, R.ANSWER_REASONS["both"].format(
                first=_quote(said[0].text), second=f"not {_quote(denied.text)}"))
        return Reading(readings[0])
    everything = groups["main"] + groups["val"]
    negated = next((it for it in everything if it.kind == "TREND" and it.negated), None)
    if negated is not None:
        return Reading(None, R.ANSWER_REASONS["negated"].format(text=_quote(f"not {negated.text}")))
    mixed = next((it for it in everything if it.kind == "MIXED" and not it.negated), None)
    if mixed is not None:
        return Reading(None, R.ANSWER_REASONS["mixed"].format(text=_quote(mixed.text)))
    off = next((it for it in groups["other"] if it.kind == "TREND" and not it.negated), None)
    if off is not None:
        return Reading(None, R.ANSWER_REASONS["off_topic"].format(other=other, own=own, text=_quote(off.text)))
    yesno = next((it for it in everything if it.kind in ("YESNO", "NO")), None)
    if yesno is not None:
        return Reading(None, R.ANSWER_REASONS["bool_for_trend"].format(text=_quote(yesno.text)))
    return Reading(None)


def _read_bool(table: ModuleType, name: str, clauses: list[list[_Item]], bare: list[_Item]) -> Reading:
    """One yes or no, from yes/no words, the question's own words, and short answers like "it won't"."""
    signals: list[tuple[bool, str, bool]] = []  # (value, text, said only about the start)
    for clause in clauses:
        early = any(it.kind == "EARLY" for it in clause)
        found: list[tuple[bool, str]] = []
        for k, it in enumerate(clause):
            if it.kind in ("YESNO", "CONTENT"):
                value = bool(it.value) != it.negated
                if it.kind == "CONTENT" and not it.negated and it.value is True and _about_training(table, name, clause, k):
                    continue  # "it does well on the training data" says nothing about new data
                if it.kind == "CONTENT" and it.text in R.ALSO_PHRASES and k == len(clause) - 1 and not it.negated:
                    continue  # "it overfits as well"
                found.append((value, it.text))
            elif it.kind == "NO":
                found.append((False, it.text))
        found += [(False, b.text) for b in bare if b in clause]
        kinds = {it.kind for it in clause}
        if not found and kinds <= {"FILLER", "AUX", "INTENS"} and kinds & {"AUX", "INTENS"}:
            found.append((True, " ".join(it.text for it in clause)))  # "it does", "definitely"
        signals += [(value, text, early) for value, text in found]
    early_at = [i for i, clause in enumerate(clauses) if any(it.kind == "EARLY" for it in clause)]
    if early_at and all(early for _, _, early in signals):
        # "Similar at first, but then the validation loss goes up": what held at the start stopped holding.
        alike = (table.BOOL_WORDS_BY_QUESTION.get(name) or {}).get(True, set())
        said = {value for value, _, _ in signals} or {True for clause in clauses for it in clause if it.kind == "EARLY"
                                                      and set(it.text.split()) & alike}
        if len(said) == 1 and _one_side_changes(clauses[early_at[-1] + 1:]):
            return Reading(not said.pop())
    if any(not early for _, _, early in signals):
        signals = [s for s in signals if not s[2]]
    values = list(dict.fromkeys(value for value, _, _ in signals))
    if len(values) == 1:
        return Reading(values[0])
    if len(values) > 1:
        first = signals[0]
        second = next(s for s in signals if s[0] != first[0])
        return Reading(None, R.ANSWER_REASONS["both"].format(first=_quote(first[1]), second=_quote(second[1])))
    if name in getattr(table, "COMPARE_QUESTIONS", ()) and _sides_differ(clauses):
        return Reading(False)  # "the validation loss goes up while the training loss goes down"
    trend = next((it for clause in clauses for it in clause if it.kind in ("TREND", "MIXED")), None)
    if trend is not None:
        text = f"not {trend.text}" if trend.negated else trend.text
        return Reading(None, R.ANSWER_REASONS["trend_for_bool"].format(text=_quote(text)))
    return Reading(None)


def _sides_differ(clauses: list[list[_Item]]) -> bool:
    """The answer gives the training curve one trend and the validation curve another, each in a
    clause of its own."""
    sides: dict[str, set] = {}
    for clause in clauses:
        side = {it.kind for it in clause} & {"TRAIN", "VAL"}
        trends = {it.value for it in clause if it.kind == "TREND" and not it.negated}
        if len(side) == 1 and len(trends) == 1:
            sides.setdefault(side.pop(), set()).update(trends)
    return set(sides) == {"TRAIN", "VAL"} and all(len(t) == 1 for t in sides.values()) and sides["TRAIN"] != sides["VAL"]


def _one_side_changes(clauses: list[list[_Item]]) -> bool:
    """One of the clauses says how the training or the validation curve alone went on ("then the
    validation loss goes up"), not both of them."""
    return any(not any(it.text == "both" for it in clause) and any(it.kind in ("TRAIN", "VAL") for it in clause)
               and any(it.kind in ("TREND", "MIXED") and not it.negated for it in clause) for clause in clauses)


def _about_training(table: ModuleType, name: str, clause: list[_Item], k: int) -> bool:
    """For a question about new data (the table's ``NEW_DATA_QUESTIONS``): is the answer word at ``k``
    followed by words about the training data?"""
    if name not in getattr(table, "NEW_DATA_QUESTIONS", ()):
        return False
    return any(it.kind == "TRAIN" and it.start - clause[k].end < 5 for it in clause[k + 1:])


_NUMPY_BOOL = re.compile(r"^(?:(?:np|numpy)\.)?(True|False)_?$")
_NUMPY_NUMBER = re.compile(r"^(?:(?:np|numpy)\.\w+\()?\s*(-?\d+(?:\.\d*)?)\s*\)?$")
_NUMPY_STR = re.compile(r"^(?:np|numpy)\.str_\((.*)\)$", re.S)


def _plain_value(fact: dict) -> tuple[bool, object]:
    """The value a fact describes, also for numpy scalars (described by their repr); (False, None) if unknown."""
    kind = str(fact.get("given_as", ""))
    if "value" in fact:
        value = fact["value"]
        if kind == "float" and isinstance(value, str):  # nan and inf are described as text
            return True, float("nan")
        return True, value
    text = str(fact.get("repr", "")).strip()
    if kind.startswith("bool") and _NUMPY_BOOL.match(text):
        return True, _NUMPY_BOOL.match(text).group(1) == "True"
    if re.match(r"^u?int\d*$|^float\d*$|^longlong$", kind) and _NUMPY_NUMBER.match(text):
        number = _NUMPY_NUMBER.match(text).group(1)
        return True, float(number) if "." in number else int(number)
    if kind.startswith("str"):
        m = _NUMPY_STR.match(text)
        try:
            value = ast.literal_eval(m.group(1) if m else text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return False, None
        if isinstance(value, str):
            return True, value
    return False, None


def read_answer(name: str, fact: dict, table: ModuleType) -> Reading:
    """Read one answer (a described value) to question ``name`` of an exercise's ``table`` as its
    canonical answer, or say why it cannot be read.

    Trend questions (the table's ``TREND_SUBJECTS``) read to "decreases", "increases" or "stays the
    same"; the others to True or False. Pure: the generic word lists live in ``rubric``, the
    question's own words in the table.
    """
    is_trend = name in table.TREND_SUBJECTS
    known, value = _plain_value(fact)
    kind = str(fact.get("given_as", "value"))
    if not known:
        if kind in ("list", "set", "frozenset", "dict", "ndarray", "Series", "DataFrame", "deque"):
            return Reading(None, R.ANSWER_REASONS["container"].format(kind=kind))
        if kind == "tuple":
            return Reading(None, R.ANSWER_REASONS["tuple"])
        return Reading(None, R.ANSWER_REASONS["other_type"].format(kind=kind))
    if value is None:
        return Reading(None, R.ANSWER_REASONS["none"])
    if isinstance(value, bool):
        return Reading(None, R.ANSWER_REASONS["bool_for_trend_value"]) if is_trend else Reading(value)
    if isinstance(value, (int, float)):
        if not is_trend and value in (0, 1):
            return Reading(bool(value))
        return Reading(None, R.ANSWER_REASONS["number" if is_trend else "number_for_bool"])
    if isinstance(value, str):
        return _read_text(table, name, value)
    return Reading(None, R.ANSWER_REASONS["other_type"].format(kind=kind))


def normalise_answer(name: str, fact: dict, table: ModuleType) -> str | bool | None:
    """The canonical answer for a described value, or None when it cannot be read (see ``read_answer``)."""
    return read_answer(name, fact, table).value


def _render_value(fact: dict) -> str:
    if "value" in fact:
        return repr(fact["value"])
    return fact.get("repr") or f"a {fact.get('given_as', 'value')}"




# --- judging ------------------------------------------------------------------------------------

def evaluate(exercise: Exercise | str, static: dict, run: dict | None, limits: dict | None = None,
             points: dict[str, float] | None = None, tags: list[str] | None = None) -> list[Result]:
    """Judge a run of ``exercise``: one Result per check tag (all its tags, or ``tags``), in table order.

    ``points`` None means the exercise's own. Each check first passes the gates (syntax errors, a run
    that stopped before its cells), then its function in the exercise's ``CHECK_FUNCTIONS``.
    """
    exercise = exercises.get(exercise)
    ctx = Context(static, run, limits, exercise)
    points = points or exercise.points()
    functions = exercise.check_functions
    results = []
    for tag, check in exercise.checks.items():
        if tags is not None and tag not in tags:
            continue
        ctx.check = check
        verdict = _gate(ctx, check.challenge)
        if verdict is None:
            try:
                verdict = functions[tag](ctx)
            except Exception as exc:  # a bug of ours must not hide the other results
                verdict = Verdict(UNCHECKABLE, R.GATE_MESSAGES["grader_error"].format(
                    error=f"{type(exc).__name__}: {exc}"))
        score = points[tag] if verdict.status == PASSED else 0.0
        results.append(Result(tag, check.title, check.challenge, verdict.status, score, points[tag],
                              verdict.output, verdict.answer))
    return results
