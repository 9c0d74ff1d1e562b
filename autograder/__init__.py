"""Fill-in-the-blank Keras exercises and the engine that grades them (the exercises: ``autograder.exercises``).

Importing the package is cheap: TensorFlow is imported only by the modules that need it.
"""

__version__ = "0.1.0"

import os as _os

HARNESS_ENV = "AUTOGRADER_HARNESS"
# The lessons' own figures carry this label, so the grader never mistakes them for the learner's.
LESSON_FIGURE_LABEL = "autograder-lesson-figure"


def in_grader() -> bool:
    """True inside the grader's harness, where the lesson's display-only helpers stay quiet."""
    return _os.environ.get(HARNESS_ENV) == "1"
