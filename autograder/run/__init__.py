"""Run: the warm worker, the forked child's harness, and the limits a submission runs under."""
