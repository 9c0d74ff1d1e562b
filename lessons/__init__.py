"""The lesson learners fill in; installed as ``autograder.lessons`` (see ``autograder/lessonfiles.py``)."""
