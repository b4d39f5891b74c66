"""Runs chapter 7's benchmark and PyTorch's on this machine with one thread each, twice, taking
turns (ours, PyTorch's, ours, PyTorch's: a busy neighbour only ever slows a run down, so the
fastest of each side counts), and prints the times of a forward and backward pass of the RNN
and the LSTM, their ratios, and the share of the matrix-product bound each reaches.
./course benchmark runs it.

    /usr/bin/python3 compare_with_pytorch.py BENCHMARK_BINARY
"""
import json
import os
import platform
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")

def run(command):
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout)

ours, theirs = [], []
for _ in range(2):
    ours.append(run([sys.argv[1], "--benchmark_format=json"]))
    theirs.append(run([sys.executable, os.path.join(here, "benchmark_pytorch.py")]))

# Floating-point operations of one pass: per step and column, the products W_x x_t and
# W_h h_{t-1} (2 gates n_h (n_x + n_h), gates = 1 for the RNN and 4 for the LSTM) and three
# times as many backward (dW_x and dW_h, dx_t, dh_{t-1}).
N_X, N_H, T, M = 64, 128, 50, 32
def flops(gates):
    return 3 * 2 * gates * N_H * (N_X + N_H) * T * M

def seconds(b):
    return b["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]

mine = {}  # the fastest repetition of each benchmark
for b in (b for run in ours for b in run["benchmarks"]):
    if b.get("run_type", "iteration") != "iteration":
        continue  # Google Benchmark's mean, median, ... of the repetitions
    name = b["name"].split("/")[0]
    mine[name] = min(seconds(b), mine.get(name, float("inf")))
pytorch = {key: min(run[key] for run in theirs) for key in ("rnn_s", "lstm_s")}
cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())

print(f"Chapter 7: the forward and backward pass over a batch (n_x = {N_X}, n_h = {N_H}, T = {T}, m = {M}), in double,")
print(f"the course's own code against PyTorch {theirs[0]['torch']}, one thread each, on {cpu};")
print("the fastest of ten repetitions on each side: five in each of two turns, ours and PyTorch's taken in alternation.")
print("ratio: our time over PyTorch's (target: at most 1.0). bound: the same matrix products alone, in plain Eigen.\n")
print(f"{'layer':<6} {'ours (ms)':>10} {'PyTorch (ms)':>13} {'ratio':>6} {'bound (ms)':>11} {'% of bound':>11} {'GFLOP/s':>8}")
verdicts = []
for layer, key, gates in (("RNN", "rnn", 1), ("LSTM", "lstm", 4)):
    t, torch_t, bound = mine[f"BM_{layer.capitalize()}"], pytorch[f"{key}_s"], mine[f"BM_{layer.capitalize()}Products"]
    ratio = t / torch_t
    print(f"{layer:<6} {1e3 * t:>10.2f} {1e3 * torch_t:>13.2f} {ratio:>6.2f} {1e3 * bound:>11.2f} {100 * bound / t:>11.0f} "
          f"{flops(gates) / t / 1e9:>8.1f}")
    verdicts.append(f"{layer} {ratio:.2f} ({'met' if ratio <= 1.0 else 'MISSED'})")
print("\nTarget, no slower than PyTorch: " + "; ".join(verdicts))
