"""The lesson filled in; installed as ``autograder.solutions`` (see ``autograder/lessonfiles.py``)."""
