"""What learners see of their own errors in a grading kernel: their code, not the libraries'.

nbgrader shows the outputs of the autograded notebook to the student (``generate_feedback``).
``load_ipython_extension`` (loaded by the grading kernels' extension, ``nbgrader_kernel``)
keeps those outputs about the learner's code:

- TensorFlow is imported with file descriptor 2 silenced: TensorFlow 2.21 prints its oneDNN
  and CUDA start-up lines before its logging is set up, whatever ``TF_CPP_MIN_LOG_LEVEL`` says;
  the ``absl`` and ``tensorflow`` Python loggers keep only errors;
- a traceback keeps only the learner's frames: frames of installed libraries (Keras, pandas,
  the standard library) and of this package are dropped, so a Keras error points at the
  learner's line, with no virtualenv paths (the learner's last line stays, with the error);
- a warning raised inside a library is shown as ``Category: message``, without the library's
  path, and Keras' ``shuffle=True was passed`` warning (``fit`` passes ``shuffle=True`` by
  default, so every ``fit`` on a ``tf.data.Dataset`` raises it) is not shown.

This module imports nothing heavy at import time (``nbgrader_cells`` and the course builder use
``quiet_stderr`` and the module path).
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import site
import sys
import sysconfig
import types
import warnings
from typing import Any, Iterator

# Keras' own text; it names an argument the learner did not pass.
KERAS_SHUFFLE_WARNING = r"`shuffle=True` was passed, but will be ignored"
_CYTHON_SUFFIXES = (".pyx", ".pxd", ".pxi")


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence stderr: Python's sys.stderr, warnings, logging, and file descriptor 2.

    ipykernel forwards what is written to descriptor 2 (TensorFlow's C++ logs) as stderr
    output of the running cell, so redirecting ``sys.stderr`` alone is not enough.
    """
    saved_fd = devnull = None
    try:
        sys.stderr.flush()
        saved_fd = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    except (OSError, AttributeError, ValueError):  # no real descriptor 2: Python-level only
        saved_fd = None
    previous_disable = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(previous_disable)
        if saved_fd is not None:
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
        if devnull is not None:
            os.close(devnull)


def _library_dirs() -> tuple[str, ...]:
    """The folders of installed code: the standard library, site-packages, and this package."""
    paths = sysconfig.get_paths()
    dirs = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    dirs.update(site.getsitepackages() if hasattr(site, "getsitepackages") else [])
    dirs.add(site.getusersitepackages())
    dirs.add(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the autograder package, also editable
    return tuple(sorted({os.path.join(os.path.realpath(d), "") for d in dirs if d}))


_LIBRARY_DIRS = _library_dirs()


def is_library_file(filename: str) -> bool:
    """True for code the learner did not write: installed libraries, the standard library, this package."""
    if filename.startswith("<frozen ") or filename.endswith(_CYTHON_SUFFIXES):
        return True
    if not os.path.isabs(filename):
        return False  # a notebook cell, "<string>", ...
    return os.path.realpath(filename).startswith(_LIBRARY_DIRS)


def learner_frames(tb: types.TracebackType | None, keep_first: bool) -> types.TracebackType | None:
    """``tb`` without library frames. ``keep_first``: keep the first frame whatever it is (IPython's
    own ``run_code``, which its traceback printer skips). None if no frame is left."""
    frames = []
    head = tb if keep_first else None
    current = tb.tb_next if keep_first and tb is not None else tb
    while current is not None:
        if not is_library_file(current.tb_frame.f_code.co_filename):
            frames.append(current)
        current = current.tb_next
    if keep_first and not frames:
        return tb  # nothing of the learner's (an error inside IPython itself): show it as it is
    trimmed = None
    for frame in reversed(frames):
        trimmed = types.TracebackType(trimmed, frame.tb_frame, frame.tb_lasti, frame.tb_lineno)
    if head is not None:
        trimmed = types.TracebackType(trimmed, head.tb_frame, head.tb_lasti, head.tb_lineno)
    return trimmed


def _trim_chain(exc: BaseException | None) -> None:
    """Drop library frames from the exceptions ``exc`` was raised from or during (``__cause__``,
    ``__context__``): IPython prints those too. They are finished exceptions, only shown."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        try:
            exc.__traceback__ = learner_frames(exc.__traceback__, keep_first=False)
        except (AttributeError, TypeError):
            pass
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)


def show_learner_traceback(shell: Any, etype: type, value: BaseException, tb: types.TracebackType | None,
                           tb_offset: int | None = None) -> None:
    """IPython custom exception handler: the traceback IPython would show, without library frames."""
    if not issubclass(etype, SyntaxError):  # syntax errors have no frames of interest; IPython shows the line
        _trim_chain(value.__cause__ or (None if value.__suppress_context__ else value.__context__))
        tb = learner_frames(tb, keep_first=True)
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


_python_format_warning = warnings.formatwarning


def _format_warning(message: Any, category: type, filename: str, lineno: int, line: str | None = None) -> str:
    """A library's warning as ``Category: message``; the learner's own as Python prints it."""
    if is_library_file(filename):
        return f"{category.__name__}: {message}\n"
    return _python_format_warning(message, category, filename, lineno, line)


def load_ipython_extension(ipython: Any) -> None:
    """Quiet TensorFlow's start-up, learner-only tracebacks, short library warnings (see the module docstring)."""
    with quiet_stderr():
        try:
            import keras  # noqa: F401
            import tensorflow  # noqa: F401
        except ImportError:  # not installed: the notebook says so when it imports them
            pass
    for name in ("absl", "tensorflow"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message=KERAS_SHUFFLE_WARNING, category=UserWarning)
    warnings.formatwarning = _format_warning
    if ipython is not None:
        ipython.set_custom_exc((Exception,), show_learner_traceback)
