"""Write files so that a reader never sees half of one (write aside, then rename).

References are taken at import, so code that later patches ``os`` or ``json`` in the same
process (a submission, in the grader's child) cannot change how results are written.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

_dumps = json.dumps
_replace = os.replace
_fsync = os.fsync
_getpid = os.getpid
_open = open


def write_text_atomic(path: str | Path, text: str, sync: bool = True) -> None:
    """Replace ``path`` with ``text`` in one step, even if the process is killed midway."""
    tmp = f"{path}.tmp{_getpid()}"
    with _open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        if sync:
            fh.flush()
            _fsync(fh.fileno())
    _replace(tmp, path)


def write_json_atomic(path: str | Path, data: object, sync: bool = True) -> None:
    write_text_atomic(path, _dumps(data, indent=1, default=str, ensure_ascii=False), sync)
