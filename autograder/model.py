"""The import path the lessons' setup cells use (``from autograder.model import ...``): the public
model builders of every exercise, each defined in its folder's ``model.py``."""
from autograder.exercises import public as _public

globals().update(_public("model"))
