"""Shared test set-up.

torch's tiny full-batch problems run fastest on one thread; with two intra-op
threads on a busy 2-core machine, spinning threads make them several times slower.
"""
import torch

torch.set_num_threads(1)
