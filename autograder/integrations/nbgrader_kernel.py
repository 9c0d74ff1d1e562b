"""The IPython extension nbgrader's grading kernels load, for courses whose notebooks do not
import this package.

A graded course's release runs without ``autograder`` (see ``standalone``), so no notebook
cell calls ``selfcheck.start()``. The checks still need to see how ``compile`` and ``fit``
were called, so ``nbgrader_config.py`` starts each autograding kernel with
``--IPKernelApp.extra_extensions=autograder.integrations.nbgrader_kernel``, which starts the recording
before the notebook's first cell runs. The hidden tests call ``ensure_recording()`` first,
so a course whose kernels miss the extension fails loudly instead of grading wrongly.
"""
from __future__ import annotations

from typing import Any

KERNEL_ARGUMENT = f"--IPKernelApp.extra_extensions={__name__}"


def load_ipython_extension(ipython: Any) -> None:
    """Start recording ``compile`` and ``fit`` calls in this kernel (``%load_ext`` entry point)."""
    from autograder.integrations import quiet_kernel

    quiet_kernel.load_ipython_extension(ipython)  # first: it imports TensorFlow quietly (see there)
    from autograder import selfcheck

    selfcheck.start()


def ensure_recording() -> None:
    """Raise with the fix if this kernel is not recording ``compile``/``fit`` (the course's config is not used)."""
    from autograder import in_grader, selfcheck

    if not in_grader() and not selfcheck._recorder._installed:
        raise RuntimeError(
            "the autograder is not recording compile() and fit() in this kernel, so it cannot check them. "
            f"Autograde in the course directory written by `autograder nbgrader` (its nbgrader_config.py starts "
            f"the kernels with {KERNEL_ARGUMENT}), or add that argument to c.Execute.extra_arguments.")
