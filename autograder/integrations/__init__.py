"""Integrations: nbgrader (course, test cells, grading kernel), Gradescope, class grading (local and Dask) and the demo class; each works for any exercise."""
