"""The same measurements as benchmark_training.cpp, in PyTorch on the CPU: one training step
and one epoch (the faster of two) of the 784-256-128-10 MLP (ReLU, cross-entropy, Adam) at batch 32, 128 and 512,
in float32 and float64, on one thread. Prints one JSON object.

Run with Debian's Python, which sees Debian's python3-torch: /usr/bin/python3 benchmark_pytorch.py
"""
import json
import os
import sys
import time

import torch

sys.dont_write_bytecode = True  # no __pycache__ in the course's folders
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools"))
from pytorch_blas import blas  # noqa: E402 (tools/, one copy for both chapters)

torch.set_num_threads(1)
EXAMPLES = 60000


# [model]
def model(dtype):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
                              torch.nn.Linear(128, 10)).to(dtype)
    return net, torch.optim.Adam(net.parameters(), lr=1e-3)
# [model]


def measure(dtype, m):
    net, adam = model(dtype)
    x, y = torch.rand(m, 784, dtype=dtype) * 2 - 1, torch.randint(0, 10, (m,))
    loss_fn = torch.nn.CrossEntropyLoss()

    # [step]
    def step():
        adam.zero_grad()
        loss_fn(net(x), y).backward()
        adam.step()
    # [step]

    for _ in range(5):
        step()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < 1.0:
        step()
        n += 1
    step_seconds = (time.perf_counter() - start) / n
    steps = (EXAMPLES + m - 1) // m
    epochs = []
    for _ in range(2):  # the faster of two, as on the C++ side
        start = time.perf_counter()
        for _ in range(steps):
            step()
        epochs.append(time.perf_counter() - start)
    return step_seconds, min(epochs)


blas_line, kernel = blas()
results = {"torch": torch.__version__, "blas": blas_line, "openblas_kernel": kernel, "threads": torch.get_num_threads(), "runs": []}
for dtype in (torch.float32, torch.float64):
    for m in (32, 128, 512):
        step_s, epoch_s = measure(dtype, m)
        results["runs"].append({"dtype": str(dtype).replace("torch.", ""), "batch": m, "step_s": step_s, "epoch_s": epoch_s})
print(json.dumps(results))
