"""Exercises and an autograder for the Keras episode "Compile and Train (Fit) a Convolutional Neural Network".

Importing the package is cheap: TensorFlow is imported only by the modules that need it.
"""

__version__ = "0.1.0"
