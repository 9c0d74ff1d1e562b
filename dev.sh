#!/usr/bin/env bash
# One entry point that sets itself up: creates .venv, installs the package with its pinned
# dependencies (again only when pyproject.toml or constraints.txt changed), then runs a task.
#   bash dev.sh demo    grade the bundled sample class on the offline sample data
#   bash dev.sh test    run the test suite
#   bash dev.sh bench   run the class-grading benchmark
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
VENV=.venv
stamp="$VENV/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "Setting up $VENV (first run only; TensorFlow is large, this takes a few minutes)..." >&2
    "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -c constraints.txt -e ".[test,nbgrader,dask]"
    rm -f "$VENV"/.installed-*
    touch "$stamp"
fi
export PATH="$PWD/$VENV/bin:$PATH" TF_CPP_MIN_LOG_LEVEL=3 MPLBACKEND=Agg
task=${1:-}
shift || true
case "$task" in
    demo)  exec autograder demo "$@" ;;
    # Two test processes (pytest-xdist), each test file in one of them: many tests wait on a
    # kernel, nbgrader or a time limit, so two halve the wall time even on two cores.
    test)  exec python -m pytest -n "${TEST_PROCESSES:-2}" --dist loadfile "$@" ;;
    bench) exec python benchmarks/class_grading.py "$@" ;;
    *) echo "usage: bash dev.sh demo|test|bench [args...]" >&2; exit 2 ;;
esac
