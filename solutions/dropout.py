# ---
# jupyter:
#   autograder:
#     exercise: dropout
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Reduce overfitting with dropout
#
# In the previous episode we compiled and trained a convolutional neural network (CNN) on the
# CIFAR-10 images, and its training curves showed **overfitting**: the training accuracy kept
# climbing while the validation accuracy levelled off. The model was learning details of the
# training images that do not carry over to new images. In this episode we try one technique
# against overfitting: **dropout**.
#
# **Questions**
# - What is dropout, and where does it go in a network?
# - How does dropout change the training and validation curves?
#
# **Objectives**
# - Add a `Dropout` layer to a CNN and choose its rate.
# - Compile and train the new model as before.
# - Compare the training curves with and without dropout.
# - Explain when dropout is active and what a very high rate does.
#
# Fill in every `_____` and run the cells in order. After each challenge, a
# `selfcheck.check(...)` cell tells you whether your answer is right and, if not, what to
# change. `selfcheck.hint(...)` and `selfcheck.solution(...)` help when you are stuck.

# %% [markdown]
# ## Setup (given)
#
# The imports, the data, and the model of the previous episode (for comparison). Run these
# cells; there is nothing to fill in here.
#
# `load_datasets()` gives the CIFAR-10 images as `train_ds` and `val_ds`, as in the previous
# episode (without a network it falls back to a small offline sample of the same shape; set the
# environment variable `AUTOGRADER_DATA` to `cifar10` or `sample` to choose).

# %%
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
import keras

from autograder import figures, selfcheck
from autograder.data import load_datasets
from autograder.model import build_model_intro

selfcheck.start("dropout")

# %%
train_ds, val_ds = load_datasets()

# %%
# The CNN of the previous episode, without dropout: we compare the new model with it.
model_intro = build_model_intro()
model_intro.summary()

# %% [markdown]
# ## What is dropout?
#
# A network overfits when it leans on a few very specific features of the training images.
# **Dropout** makes that harder: at every training step a `Dropout` layer sets a random share of
# its inputs to zero, so the next layer cannot rely on any single unit and must learn patterns
# that hold up when parts of the picture are missing. The share it drops is the **rate**, a
# fraction between 0 and 1: `Dropout(0.5)` drops half of the units, a different half at each
# step (a rate is not a percentage: 20% is `0.2`).
#
# Dropout only acts while the model **trains**. When the model predicts, and when `fit`
# measures the validation accuracy, Keras switches it off and every unit is used.
#
# Dropout goes **between hidden layers**: here, after `Flatten`, where the image features
# enter the dense layers. It never goes after the output layer, whose 10 numbers are the
# class probabilities.
#
# ### Challenge: Add a Dropout layer
#
# Complete the new model: it is the previous episode's CNN with one `Dropout` layer after
# `Flatten`. Choose a rate for it (the reference runs below use `0.5`).

# %% challenge="model"
inputs = keras.Input(shape=(32, 32, 3))
x = keras.layers.Conv2D(16, (3, 3), activation='relu')(inputs)
x = keras.layers.MaxPooling2D((2, 2))(x)
x = keras.layers.Conv2D(32, (3, 3), activation='relu')(x)
x = keras.layers.MaxPooling2D((2, 2))(x)
x = keras.layers.Flatten()(x)
x = keras.layers.Dropout(0.5)(x)
x = keras.layers.Dense(32, activation='relu')(x)
outputs = keras.layers.Dense(10, activation='softmax')(x)
model_dropout = keras.Model(inputs=inputs, outputs=outputs, name='cifar_model_dropout')
model_dropout.summary()

# %%
selfcheck.check("model")
# selfcheck.hint("model")
# selfcheck.solution("model")

# %% [markdown]
# ## Compile and train the model with dropout
#
# The new model learns exactly like the old one: the same optimizer, loss function and metric,
# the same number of epochs, the same data.
#
# ### Challenge: Compile the model
#
# Compile `model_dropout` with the optimizer `'adam'`, the loss
# `'sparse_categorical_crossentropy'` and the metric `'accuracy'` (in a list).

# %% challenge="compile"
# compile the model
model_dropout.compile(optimizer = 'adam',
              loss = 'sparse_categorical_crossentropy',
              metrics = ['accuracy'])

# %%
selfcheck.check("compile")
# selfcheck.hint("compile")
# selfcheck.solution("compile")

# %% [markdown]
# ### Challenge: Train (fit) the model
#
# Train `model_dropout` on `train_ds` for 10 epochs, validating on `val_ds`, and keep the
# returned history as `history_dropout`.

# %% challenge="fit"
history_dropout = model_dropout.fit(x = train_ds,
                            epochs = 10,
                            validation_data = val_ds)

# %%
selfcheck.check("fit")
# selfcheck.hint("fit")
# selfcheck.solution("fit")

# %% [markdown]
# ## Compare the training curves
#
# Put the accuracy curves of the model without dropout and of your model with dropout side by
# side. So that everyone compares with the same run, the curves without dropout come from the
# lesson's reference runs (`figures.dropout_reference_df("without")`, a DataFrame like the one
# you build from your history).

# %%
# the run without dropout, from the lesson's reference runs
history_intro_df = figures.dropout_reference_df("without")

# %% [markdown]
# ### Challenge: Compare the training curves
#
# Make the DataFrame from the history's dictionary, then plot its training and validation
# accuracy on the right panel.

# %% challenge="plot"
# convert the model history to a dataframe for plotting
history_dropout_df = pd.DataFrame.from_dict(history_dropout.history)

# plot the accuracy without dropout (left) and with dropout (right)
fig, axes = plt.subplots(1, 2, sharey=True)
fig.suptitle('cifar_model_dropout')
axes[0].set_title('without dropout')
axes[1].set_title('with dropout')

sns.lineplot(ax=axes[0], data=history_intro_df[['accuracy', 'val_accuracy']])
sns.lineplot(ax=axes[1], data=history_dropout_df[['accuracy', 'val_accuracy']])

# %%
selfcheck.check("plot")
# selfcheck.hint("plot")
# selfcheck.solution("plot")

# %% [markdown]
# ## What does dropout do?
#
# Your curves depend on your data and on chance, so for the questions below we all look at the
# same picture: the lesson's reference runs of this model, trained without dropout, with the
# rate `0.5`, and with a much higher rate, `0.9` (the same seed and data for all three).

# %%
figures.plot_dropout_reference()
plt.show()

# %% [markdown]
# ### Challenge: What does dropout do?
#
# Look at the reference runs and answer, with a choice in brackets or a short sentence in quotes:
#
# 1. Does dropout (rate 0.5) narrow the gap between the training and the validation accuracy? (`True` or `False`)
# 2. Is dropout active when the model predicts? (`True` or `False`)
# 3. What happens to the training accuracy with a much higher rate (0.9 instead of 0.5)?
#    (`"decreases"`, `"increases"` or `"stays the same"`)

# %% challenge="questions"
dropout_narrows_gap = True
dropout_active_when_predicting = False
high_rate_training_accuracy = "decreases"

# %%
selfcheck.check("questions")
# selfcheck.hint("questions")
# selfcheck.solution("questions")

# %% [markdown]
# ## What did we learn?
#
# With dropout the training accuracy no longer runs away from the validation accuracy: the
# model memorises less of the training images, so what it learns carries over better to new
# ones. Too much of it hurts, though: with a rate of 0.9 the model throws away most of what it
# sees at every step and learns the training images much more slowly. The rate is a
# **hyperparameter**, like the learning rate: try a few values and compare the validation
# curves.
#
# ## Key points
#
# - Dropout sets a random fraction (the rate, between 0 and 1) of a layer's inputs to zero at
#   each training step.
# - Put `keras.layers.Dropout(rate)` between hidden layers, never after the output layer.
# - Dropout is active only during training; predictions use the whole network.
# - Dropout narrows the gap between training and validation accuracy; too high a rate lowers
#   the training accuracy and slows learning.
