"""The import path the lessons' setup cells use (``from autograder import figures``): the public
figure functions of every exercise, each defined in its folder's ``figures.py``."""
from autograder.exercises import public as _public

globals().update(_public("figures"))
