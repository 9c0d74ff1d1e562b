# ---
# jupyter:
#   autograder:
#     exercise: compile_and_train
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
# # Compile and Train (Fit) a Convolutional Neural Network
#
# In the previous episode we built the *structure* of a convolutional neural network (CNN)
# for the CIFAR-10 images. Its weights are still random: it cannot recognise anything yet.
# In this episode we make it learn.
#
# **Questions**
# - How do you compile a CNN? What are a loss function and an optimizer?
# - How do you train (fit) a CNN, and how can we tell how well it is learning?
#
# **Objectives**
# - Compile a CNN by choosing an optimizer, a loss function and a metric.
# - Train a CNN with `Model.fit()`.
# - Explain what the loss and the accuracy tell us during training.
# - Recognise the signs of overfitting in training curves.
#
# Fill in every `_____` and run the cells in order. After each challenge, a
# `selfcheck.check(...)` cell tells you whether your answer is right and, if not, what to
# change. `selfcheck.hint(...)` and `selfcheck.solution(...)` help when you are stuck.

# %% [markdown]
# ## Setup (given)
#
# The imports, the data and the model from the previous episode. Run these cells; there is
# nothing to fill in here.
#
# `load_datasets()` gives the CIFAR-10 images as `train_ds` and `val_ds`: batches of 32×32
# colour images scaled to [0, 1], each with one integer label from 0 to 9. It loads the real
# CIFAR-10 (downloading it once, about 170 MB). Without a network it falls back to a small
# offline sample of the same shape; set the environment variable `AUTOGRADER_DATA` to
# `cifar10` or `sample` to choose.

# %%
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
import keras

from autograder import figures, selfcheck
from autograder.data import load_datasets
from autograder.model import build_model_intro

selfcheck.start()

# %%
train_ds, val_ds = load_datasets()

# %%
# The CNN of the previous episode: two convolution + pooling blocks, then dense layers,
# ending in 10 softmax outputs (one probability per class).
model_intro = build_model_intro()
model_intro.summary()

# %% [markdown]
# ## Step 5. Choose a loss function and an optimizer, and compile the model
#
# Before a model can learn, we must *compile* it. Compiling fixes three things:
#
# - the **optimizer**: how the model changes its weights after each batch;
# - the **loss function**: one number saying how wrong the predictions are;
# - the **metrics**: numbers we watch to judge the model; they do not change how it learns.
#
# ### Optimizer
#
# We use `'adam'`, a popular optimizer that works well for image classification out of the
# box. Every optimizer has a **learning rate**: the size of the step it takes downhill on the
# loss. We keep Adam's default (0.001).
#
# Why does the step size matter? The figure below comes from real, short training runs of
# our model with three learning rates. Too small, and the loss hardly moves in 10 epochs: the
# steps are too timid. Too large, and the steps overshoot the bottom of the valley, so the
# loss falls slowly and unevenly, jumping up again now and then. In between, the loss falls
# steadily and far.

# %%
figures.plot_learning_rates()
plt.show()

# %% [markdown]
# ### Loss function
#
# The loss measures how wrong the predictions are; training tries to make it small. Each of
# our images belongs to exactly one class and its label is a single integer (0–9), so we use
# `'sparse_categorical_crossentropy'`. (Plain `'categorical_crossentropy'` expects *one-hot*
# labels instead, a vector of ten 0s and 1s per image.)
#
# ### Metrics
#
# For classification we watch `'accuracy'`: the share of images the model labels correctly.
# `metrics` takes a **list**, because you may watch several metrics at once.
#
# ### Challenge: Compile the model
#
# Put the optimizer, the loss function and the metric together to compile `model_intro`.

# %% challenge="compile"
# compile the model
model_intro.compile(optimizer = 'adam',
              loss = 'sparse_categorical_crossentropy',
              metrics = ['accuracy'])

# %%
selfcheck.check("compile")
# selfcheck.hint("compile")
# selfcheck.solution("compile")

# %% [markdown]
# ## Step 6. Train (fit) the model
#
# Training is where learning happens: for each batch, the model predicts, the loss compares
# the predictions with the true labels, and the optimizer nudges the weights to do better.
# One pass over the whole training set is an **epoch**.
#
# `Model.fit()` trains the model. We give it
#
# - the training data, `x`;
# - how many times to go through the data, `epochs`;
# - `validation_data`, images the model never trains on, to see how it does on new data.
#
# `fit` returns a `History` object that records the loss and the metrics after every epoch.
#
# ### Challenge: Train (fit) the model
#
# Train `model_intro` on `train_ds` for 10 epochs, validating on `val_ds`, and keep the
# returned history as `history_intro`.

# %% challenge="fit"
history_intro = model_intro.fit(x = train_ds,
                          epochs = 10,
                          validation_data = val_ds)

# %%
selfcheck.check("fit")
# selfcheck.hint("fit")
# selfcheck.solution("fit")

# %% [markdown]
# ## Monitor the training progress
#
# `history_intro.history` is a dictionary: for each of `loss`, `accuracy`, `val_loss` and
# `val_accuracy` it holds a list with one value per epoch. A pandas DataFrame of it is easy
# to plot with seaborn.
#
# ### Challenge: Plot the history
#
# Make the DataFrame from the history's dictionary, then plot the training and validation
# loss on the left panel and the training and validation accuracy on the right panel.

# %% challenge="plot"
# convert the model history to a dataframe for plotting
history_intro_df = pd.DataFrame.from_dict(history_intro.history)

# plot the loss and accuracy
fig, axes = plt.subplots(1, 2)
fig.suptitle('cifar_model_intro')

sns.lineplot(ax=axes[0], data=history_intro_df[['loss', 'val_loss']])
sns.lineplot(ax=axes[1], data=history_intro_df[['accuracy', 'val_accuracy']])

# %%
selfcheck.check("plot")
# selfcheck.hint("plot")
# selfcheck.solution("plot")

# %% [markdown]
# Each panel shows the training data as a solid line and the validation data as a dashed
# line. We hope to see the loss go down and the accuracy go up.
#
# ## Inspect the training curves
#
# Your curves depend on your data and on chance, so for the questions below we all look at
# the same picture: the reference curves of this lesson, from training the model on the full
# CIFAR-10.

# %%
figures.plot_reference_curves()
plt.show()

# %% [markdown]
# ### Challenge: Inspect the training curves
#
# Look at the reference curves and answer, with a choice in brackets or a short sentence in quotes:
#
# 1. What happens to the loss during training? (`"decreases"`, `"increases"` or `"stays the same"`)
# 2. What happens to the accuracy? (`"decreases"`, `"increases"` or `"stays the same"`)
# 3. Do the training and validation lines behave similarly? (`True` or `False`)
# 4. Based on this, do you think the model will perform well on new data? (`True` or `False`)
# 5. Is the model overfitting? (`True` or `False`)

# %% challenge="overfitting"
loss_trend = "decreases"
accuracy_trend = "increases"
curves_similar = False
performs_well_on_new_data = False
is_overfitting = True

# %%
selfcheck.check("overfitting")
# selfcheck.hint("overfitting")
# selfcheck.solution("overfitting")

# %% [markdown]
# ## What is overfitting?
#
# In the reference curves the training performance keeps improving while the validation
# performance stops improving. That is **overfitting**: the model learns the training images
# too well, details and noise included, and those details do not carry over to new images.
# Signs of overfitting:
#
# - the training loss keeps decreasing;
# - the validation loss stops improving, or even rises;
# - the training accuracy ends well above the validation accuracy.
#
# ### How can we address overfitting?
#
# - collect more training data;
# - simplify the model (fewer layers or parameters);
# - use techniques that help the model generalise, such as dropout (a later episode).
#
# ## Key points
#
# - `Model.compile()` sets how a model will learn: optimizer, loss function and metrics.
# - The optimizer updates the weights; its learning rate sets the size of each step.
# - The loss function measures how wrong the predictions are.
# - Metrics such as accuracy tell us how well the model performs.
# - `Model.fit()` trains the model and returns its history.
# - Training and validation curves show whether the model learns, and when it overfits.
