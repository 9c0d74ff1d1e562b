"""Sizes for people: ``--memory-limit 2G`` in, "2 GB" out. Plain functions, no TensorFlow."""
from __future__ import annotations


def parse_size(text: str) -> int:
    """'2G', '512M', '1.5g', '1000000' -> bytes; ValueError with a clear message otherwise."""
    s = str(text).strip().upper().removesuffix("B")
    units = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    try:
        if s and s[-1] in units:
            value = float(s[:-1]) * units[s[-1]]
        else:
            value = float(s)
    except ValueError:
        raise ValueError(f"not a size: {text!r} (use e.g. 2G, 512M)") from None
    if value <= 0:
        raise ValueError(f"size must be positive: {text!r}")
    return int(value)


def human_size(n: int) -> str:
    for unit, size in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} bytes"
