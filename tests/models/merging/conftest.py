"""Merge tests run beside other CPU work: torch keeps to one thread."""

import torch

torch.set_num_threads(1)
