"""The exercise "Reduce overfitting with dropout": the first exercise's CNN with a Dropout layer."""
