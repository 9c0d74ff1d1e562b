"""Read: a submission (jupytext percent script or notebook) into cells, and the static pass."""
