"""Report: one submission's text report and Gradescope document, and the class report."""
