"""The shape of this exercise's own fact group, ``model`` (the generic groups are in ``autograder.facts.schema``).

Used by ``collect.py`` (which produces it), ``checks.py`` (which reads it) and the tests (which build
facts by hand and validate them with :data:`GROUPS`). No TensorFlow is imported.
"""
# No `from __future__ import annotations`: TypedDict must see `Required` as a type (see factschema).
from typing import Literal, Required, TypedDict, Union

from autograder.facts.schema import GROUPS as _GENERIC, Described


class LayerFact(TypedDict, total=False):
    """One layer of the model, in the model's order."""

    kind: Required[str]  # Input, Conv2D, MaxPooling2D, Flatten, Dense, Dropout or other
    name: str  # the layer's name in the model ("dropout", "dense_1")
    rate: Described  # Dropout only: its rate as given
    units: Union[int, None]  # Dense only
    activation: Union[str, None]  # Dense only


class ModelFacts(TypedDict, total=False):
    """``collect.model_facts``: the exercise's model and its layers."""

    model: Required[Literal["ok", "missing", "not_model"]]
    desc: Described  # what the name holds when it is not a model
    is_old_model: bool  # the model name holds the setup's model without dropout
    layers: list[LayerFact]


GROUPS: dict[str, object] = {**_GENERIC, "model": ModelFacts}
