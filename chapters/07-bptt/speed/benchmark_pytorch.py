"""The same measurements as benchmark_bptt.cpp, in PyTorch on the CPU: the forward and backward
pass of nn.RNN (tanh) and nn.LSTM in float64 on one thread, n_x = 64, n_h = 128, T = 50, batch
32, with the gradient of every parameter and of the input. Each is repeated for half a second,
five times; the fastest repetition counts. Prints one JSON object.

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
N_X, N_H, T, M = 64, 128, 50, 32


def seconds_per_pass(layer):
    torch.manual_seed(0)
    x = torch.rand(T, M, N_X, dtype=torch.float64, requires_grad=True)
    g = torch.rand(T, M, N_H, dtype=torch.float64)  # dL/dh_t at every step

    def forward_backward():
        layer.zero_grad()
        x.grad = None
        out, _ = layer(x)
        out.backward(g)

    for _ in range(5):
        forward_backward()
    best = float("inf")
    for _ in range(5):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < 0.5:
            forward_backward()
            n += 1
        best = min(best, (time.perf_counter() - start) / n)
    return best


blas_line, kernel = blas()
results = {"torch": torch.__version__, "blas": blas_line, "openblas_kernel": kernel, "threads": torch.get_num_threads(),
           "rnn_s": seconds_per_pass(torch.nn.RNN(N_X, N_H, nonlinearity="tanh").double()),
           "lstm_s": seconds_per_pass(torch.nn.LSTM(N_X, N_H).double())}
print(json.dumps(results))
