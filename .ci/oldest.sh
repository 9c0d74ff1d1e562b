#!/usr/bin/env bash
# The fast tests on the oldest supported TensorFlow/Keras pair (constraints-oldest.txt), in
# .venv-oldest: created on the first run (again only when pyproject.toml or constraints-oldest.txt
# changed), reused after. Arguments go to pytest, e.g. `bash .ci/oldest.sh -q`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=.venv-oldest
TESTS=(tests/test_keras_adapter.py tests/test_compile_checks.py tests/test_model.py tests/test_data.py
       tests/test_check_cli.py tests/test_keras_errors.py tests/test_build_before_fit.py)
stamp="$VENV/.installed-$(cat pyproject.toml constraints-oldest.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    if [ ! -x "$VENV/bin/python" ]; then
        if ! "$PY" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))'; then
            echo "oldest.sh: TensorFlow 2.16 needs Python 3.10 to 3.12; set PYTHON to one (now: $("$PY" --version 2>&1))" >&2
            exit 2
        fi
        echo "Setting up $VENV (TensorFlow 2.16, Keras 3.0; first run only)..." >&2
        "$PY" -m venv "$VENV"
    fi
    "$VENV/bin/python" -m pip install -q --upgrade pip
    # The package's dependencies and test extra, with tensorflow-cpu for tensorflow, at the oldest pins.
    mapfile -t deps < <("$VENV/bin/python" - <<'PYEOF'
try:
    import tomllib
except ImportError:  # Python 3.10
    from pip._vendor import tomli as tomllib
with open("pyproject.toml", "rb") as fh:
    project = tomllib.load(fh)["project"]
for dep in project["dependencies"] + project["optional-dependencies"]["test"]:
    print("tensorflow-cpu" + dep[len("tensorflow"):] if dep.split(">")[0].split("=")[0].strip() == "tensorflow" else dep)
PYEOF
)
    "$VENV/bin/python" -m pip install -q -c constraints-oldest.txt "${deps[@]}"
    "$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e .
    rm -f "$VENV"/.installed-*
    touch "$stamp"
fi
export TF_CPP_MIN_LOG_LEVEL=3 MPLBACKEND=Agg
"$VENV/bin/python" -c 'import keras, tensorflow as tf; print(f"oldest supported pair: TensorFlow {tf.__version__}, Keras {keras.__version__}")'
# test_data's CIFAR-10 cache test writes the cache layout of Keras 3.6 and later; older Keras keeps its own.
exec "$VENV/bin/python" -m pytest "${TESTS[@]}" \
    --deselect tests/test_data.py::test_load_datasets_cifar10_reads_keras_cache "$@"
