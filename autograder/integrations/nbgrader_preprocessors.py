"""Our nbgrader preprocessors, and where they go in nbgrader's pipelines.

nbgrader's ``ClearSolutions`` turns every solution cell into ``raise NotImplementedError()``.
Our challenge cells should be released as the lesson shows them, with their ``_____``
blanks, so the source notebook carries the lesson's text in each challenge cell's metadata
(``metadata["autograder"]["release_source"]``) and ``ReleaseLessonSource``, run right after
``ClearSolutions``, puts it back. Checksums are computed after it, so nbgrader records the
released text as the cell's original.
"""
from __future__ import annotations

from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearSolutions, NbGraderPreprocessor

METADATA_KEY = "autograder"
RELEASE_SOURCE = "release_source"


class ReleaseLessonSource(NbGraderPreprocessor):
    """Replace a solution cell's source by the lesson text in its metadata, and drop that metadata."""

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict,
                        cell_index: int) -> tuple[NotebookNode, ResourcesDict]:
        ours = cell.metadata.get(METADATA_KEY)
        if not isinstance(ours, dict) or RELEASE_SOURCE not in ours:
            return cell, resources
        text = ours.pop(RELEASE_SOURCE)
        if utils.is_solution(cell):
            cell.source = text
        else:
            self.log.warning("cell %d carries %s.%s but is not a solution cell; left as it is",
                             cell_index, METADATA_KEY, RELEASE_SOURCE)
        if not ours:
            del cell.metadata[METADATA_KEY]
        return cell, resources


def release_preprocessors(defaults: list[Any] | None = None) -> list[Any]:
    """nbgrader's generate_assignment preprocessors (default: its own list) with ours right after ClearSolutions."""
    if defaults is None:
        from nbgrader.converters import GenerateAssignment

        defaults = GenerateAssignment.class_traits()["preprocessors"].default()
    if ClearSolutions not in defaults:
        raise ValueError("ClearSolutions is not among the generate_assignment preprocessors")
    at = defaults.index(ClearSolutions) + 1
    return [*defaults[:at], ReleaseLessonSource, *defaults[at:]]


# nbgrader's feedback page styles outputs with Bootstrap only, whose <pre> does not wrap: a long
# line of feedback ran past the box and was cut off. Wrap as JupyterLab does, and tint stderr
# (failed checks) as Jupyter does.
FEEDBACK_CSS = """\
/* autograder: wrap long output lines instead of cutting them off; stderr (a failed check) in red */
div.output_area pre { white-space: pre-wrap; overflow-wrap: anywhere; word-break: normal; }
div.output_stderr pre { background-color: #fdd; border-color: #ebb; }
"""


class FeedbackStyle(NbGraderPreprocessor):
    """Add ``FEEDBACK_CSS`` to the page ``nbgrader generate_feedback`` writes (after the
    ``CSSHTMLHeaderPreprocessor``, which sets the page's inline CSS)."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        inlining = resources.setdefault("inlining", {})
        inlining["css"] = [*inlining.get("css", []), FEEDBACK_CSS]
        return nb, resources


def feedback_preprocessors(defaults: list[Any] | None = None) -> list[Any]:
    """nbgrader's generate_feedback preprocessors (default: its own list) with ``FeedbackStyle`` last."""
    if defaults is None:
        from nbgrader.converters import GenerateFeedback

        defaults = GenerateFeedback.class_traits()["preprocessors"].default()
    return [*[p for p in defaults if p is not FeedbackStyle], FeedbackStyle]
