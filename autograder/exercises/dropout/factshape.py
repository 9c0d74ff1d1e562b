"""The shape of this exercise's own fact group, ``model`` (the generic groups are in ``autograder.facts.schema``).

Used by ``collect.py`` (which produces it), ``checks.py`` (which reads it) and the tests (which build
facts by hand and validate them with :data:`GROUPS`). No TensorFlow is imported.
"""
# No `from __future__ import annotations`: the schema validator reads these types at run time.
# Required keys come from a base class (as in ``autograder.facts.schema``): Python 3.10 has no
# ``typing.Required``.
from typing import Literal, TypedDict, Union

from autograder.facts.schema import GROUPS as _GENERIC, Described


class _LayerFactKeys(TypedDict):
    kind: str  # Input, Conv2D, MaxPooling2D, Flatten, Dense, Dropout or other


class LayerFact(_LayerFactKeys, total=False):
    """One layer of the model, in the model's order."""

    name: str  # the layer's name in the model ("dropout", "dense_1")
    rate: Described  # Dropout only: its rate as given
    units: Union[int, None]  # Dense only
    activation: Union[str, None]  # Dense and Conv2D
    filters: Union[int, None]  # Conv2D only
    kernel_size: Union[list[int], None]  # Conv2D only
    pool_size: Union[list[int], None]  # MaxPooling2D only


class _ModelFactsKeys(TypedDict):
    model: Literal["ok", "missing", "not_model"]


class ModelFacts(_ModelFactsKeys, total=False):
    """``collect.model_facts``: the exercise's model and its layers."""

    desc: Described  # what the name holds when it is not a model
    is_old_model: bool  # the model name holds the setup's model without dropout
    layers: list[LayerFact]


GROUPS: dict[str, object] = {**_GENERIC, "model": ModelFacts}
