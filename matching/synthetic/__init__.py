"""Synthetic French population with ground truth, for training, evaluation and benchmarks."""
