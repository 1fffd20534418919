"""Shared test set-up.

The tests' problems are tiny: they run fastest on one thread. With two torch
intra-op threads or two BLAS threads on a busy 2-core machine, spinning threads
make them several times (measured: up to 15x) slower.
"""

import torch
from threadpoolctl import threadpool_limits

torch.set_num_threads(1)
threadpool_limits(1)
