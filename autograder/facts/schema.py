"""The shape of the facts, declared once.

The learner's process sends snapshots (:class:`Snapshot`) whose ``facts`` map a group name to a
plain-JSON group. The generic collectors of :mod:`autograder.facts.gather` produce the groups declared
here (:data:`GROUPS`), the checks read them, and tests that build facts by hand validate them
with :func:`validate`, so the three cannot drift apart. An exercise with groups of its own passes
them to :func:`validate` beside these.

The keys declared in a total base class (``_GivenAs``, ``_...Keys``) are always there; the others
depend on what the submission did (a missing model has no ``calls``, a fit never run no
``last_call``...). (Base classes rather than ``typing.Required``, which Python 3.10 lacks.) Any
group may instead be :class:`GroupError`, when collecting it failed (a hostile object).
"""
from collections.abc import Mapping
from typing import Literal, TypedDict, Union

Scalar = Union[None, bool, int, float, str]
Numbers = list[Union[float, None]]  # a series; non-finite numbers are None


# --- describe() and its Keras variants ---------------------------------------------------------

class _GivenAs(TypedDict):
    given_as: str  # how the value was given: its type name, or blank, missing, str, class, instance...


class Described(_GivenAs, total=False):
    """Any value (``facts.describe``): its type name (``"blank"`` for ``_____``) and its value or repr."""

    value: Scalar  # None, bool, int, str, finite float, or a non-finite float as str
    repr: str  # any other value, cut to 80 characters


class OptimizerDesc(_GivenAs, total=False):
    """``facts.describe_optimizer``; ``given_as`` is blank, missing, str, class, instance or a type name."""

    name: str
    value: Scalar
    repr: str
    known: bool  # False: a string Keras does not know
    is_adam: bool
    learning_rate: Union[float, None]


class LossDesc(_GivenAs, total=False):
    """``facts.describe_loss``."""

    name: str
    value: Scalar
    repr: str
    from_logits: Union[bool, None]


class MetricDesc(_GivenAs, total=False):
    """One metric of ``facts.describe_metrics``."""

    name: str
    value: Scalar
    repr: str


class MetricsDesc(_GivenAs, total=False):
    """``facts.describe_metrics``: how the metrics were given, and each one."""

    items: list[MetricDesc]
    value: Union[str, None]


class ErrorFact(TypedDict):
    """An exception raised by compile or fit: its type, the names of its real classes, its message."""

    type: str
    mro: list[str]
    message: str


class GroupError(TypedDict):
    """A group whose collection failed."""

    uncheckable: str


# --- the generic groups -------------------------------------------------------------------------

class _CompileFactsKeys(TypedDict):
    model: Literal["ok", "missing", "not_model"]


class LateCompile(TypedDict):
    """Where the model's last compile ran (cell index, line in the cell), when it ran after a ``fit``
    that trained the model and no ``fit`` ran since; and where that fit ran (None: not in a cell)."""

    cell: int
    line: Union[int, None]
    fit_cell: Union[int, None]
    fit_line: Union[int, None]


class CompileFacts(_CompileFactsKeys, total=False):
    """``facts.compile_facts``: the exercise's model and its last compile."""

    model_desc: Described  # what the name holds when it is not a model
    calls: int
    error: Union[ErrorFact, None]
    compiled: bool
    output_activation: Union[str, None]
    optimizer: OptimizerDesc
    loss: LossDesc
    metrics: MetricsDesc
    loss_weights: MetricsDesc  # when given: metric names here are Keras 2's positional `metrics`
    late: LateCompile  # the last compile ran after the model was trained (a scratch cell's recompile)
    uncheckable: str  # this Keras hides something the checks need


class LastFitCall(TypedDict):
    """The last ``fit`` of the exercise's model: what it was given and how it ended."""

    x: Union[str, None]  # "train_ds", "val_ds", or how x was given
    epochs: Described
    validation_data: Union[str, None]  # "train_ds", "val_ds", "other", "blank", or None when not given
    validation_split: Described
    steps_per_epoch: Described  # None when not given
    validation_freq: Described  # 1 when not given
    x_batches: Union[int, None]  # the batches of `x` when it is a tf.data dataset of known size
    train_batches: Union[int, None]  # the batches of the training dataset `load_datasets` made (None: unknown)
    x_desc: Described
    x_items: Union[list[str], None]  # a tuple or list given as x: which datasets its items are
    y_given: bool
    validation_desc: Described
    error: Union[ErrorFact, None]
    history_is_result: bool  # the history name holds what this call returned


class _HistoryFactsKeys(TypedDict):
    defined: bool


class HistoryFacts(_HistoryFactsKeys, total=False):
    """The object bound to the exercise's history name."""

    is_history: bool
    desc: Described  # when it is not a History
    from_fit_of: str  # the model's name, "other model", or "unknown"
    keys: list[str]
    values: dict[str, Numbers]
    epochs_param: Union[int, None]
    epochs_run: int


class _FitFactsKeys(TypedDict):
    calls: int
    history: HistoryFacts


class FitFacts(_FitFactsKeys, total=False):
    """``facts.fit_facts``."""

    last_call: LastFitCall
    earlier_histories: list[dict[str, Numbers]]  # numbers of up to 5 earlier fits


class _DataFrameFactsKeys(TypedDict):
    defined: bool


class DataFrameFacts(_DataFrameFactsKeys, total=False):
    """The object bound to the exercise's DataFrame name."""

    is_df: bool
    columns: list[str]
    rows: int
    values: dict[str, Numbers]
    desc: Described  # when it is not a DataFrame


class LineFacts(TypedDict):
    label: str
    y: Numbers


class AxesFacts(TypedDict):
    legend: list[str]
    lines: list[LineFacts]
    title: str
    ylabel: str


class _FigureFactsKeys(TypedDict):
    found: bool


class FigureFacts(_FigureFactsKeys, total=False):
    """The figure the exercise's plot made (``found`` False when none)."""

    suptitle: str
    axes: list[AxesFacts]


class PlotFacts(TypedDict):
    """``facts.plot_facts``."""

    df: DataFrameFacts
    figure: FigureFacts


class _AnswerFactKeys(TypedDict):
    defined: bool


class AnswerFact(_AnswerFactKeys, total=False):
    """One answer name: whether it is defined and, if so, its described value."""

    given_as: str
    value: Scalar
    repr: str


AnswerFacts = dict[str, AnswerFact]  # ``facts.answer_facts``: answer name -> its fact

# The generic groups, by the group names the exercises' collectors use.
GROUPS: dict[str, object] = {"compile": CompileFacts, "fit": FitFacts, "plot": PlotFacts, "answers": AnswerFacts}


class Facts(TypedDict, total=False):
    """A snapshot's facts made of the generic groups (an exercise may add groups of its own)."""

    compile: Union[CompileFacts, GroupError]
    fit: Union[FitFacts, GroupError]
    plot: Union[PlotFacts, GroupError]
    answers: Union[AnswerFacts, GroupError]


# --- the snapshot the learner's process sends -----------------------------------------------------

class CellError(TypedDict):
    type: str
    message: str
    line: Union[int, None]


class _CellOutcomeKeys(TypedDict):
    index: int
    challenge: Union[str, None]
    status: Literal["ok", "error", "syntax_error", "running"]
    error: Union[CellError, None]
    line: Union[int, None]


class CellOutcome(_CellOutcomeKeys, total=False):
    """One cell; a cell that ran to its end (ok or error) also says what it cost."""

    seconds: float  # wall
    cpu_seconds: float  # CPU of the whole process (all its threads) while the cell ran


class _TimingKeys(TypedDict):
    setup_seconds: float  # from before the fork to the first cell (0.0 when unknown)
    setup_cpu: float
    facts_seconds: float  # gathering, encoding and sending the snapshots so far
    facts_cpu: float
    snapshots: int


class Timing(_TimingKeys, total=False):
    """What the harness spent around the learner's cells."""

    # Profiling only: [label, wall, cpu] of each fit's training and epochs, [cell, wall, cpu, index] of each cell's start
    marks: list[list[Union[str, float]]]


class Snapshot(TypedDict):
    """One line of the facts pipe, its nonce taken off by the grader."""

    done: bool
    cells: list[CellOutcome]
    timing: Timing
    facts: dict[str, dict]


class FactsError(ValueError):
    """Facts that do not have the declared shape; the message names the group and the key."""


def validate(facts: Mapping, groups: Mapping[str, object] | None = None, *, partial: bool = False) -> None:
    """Check facts against the schema; raise :class:`FactsError` naming what is wrong.

    ``groups`` maps each group name to its type (default :data:`GROUPS`); a group may also be a
    :class:`GroupError`. Every group of ``groups`` must be present unless ``partial``; a group not
    in ``groups`` is an error.
    """
    from typeguard import CollectionCheckStrategy, TypeCheckError, check_type

    groups = GROUPS if groups is None else groups
    if not isinstance(facts, Mapping):
        raise FactsError(f"facts must be a mapping of group -> facts, not {type(facts).__name__}")
    unknown = sorted(set(facts) - set(groups))
    if unknown:
        raise FactsError(f"unknown fact group(s) {', '.join(map(repr, unknown))}; the groups are {', '.join(groups)}")
    missing = [] if partial else [g for g in groups if g not in facts]
    if missing:
        raise FactsError(f"fact group(s) missing: {', '.join(map(repr, missing))}")
    for name, value in facts.items():
        try:
            check_type(value, Union[groups[name], GroupError],
                       collection_check_strategy=CollectionCheckStrategy.ALL_ITEMS)
        except TypeCheckError as exc:
            raise FactsError(f"facts[{name!r}] does not match {_type_name(groups[name])}: {exc}") from None


def validate_snapshot(snapshot: Mapping, groups: Mapping[str, object] | None = None) -> None:
    """Check a whole snapshot (cells and facts); raise :class:`FactsError`."""
    from typeguard import CollectionCheckStrategy, TypeCheckError, check_type

    try:
        check_type(snapshot, Snapshot, collection_check_strategy=CollectionCheckStrategy.ALL_ITEMS)
    except TypeCheckError as exc:
        raise FactsError(f"snapshot does not match Snapshot: {exc}") from None
    validate(snapshot["facts"], groups)


def _type_name(tp: object) -> str:
    return getattr(tp, "__name__", None) or str(tp)
