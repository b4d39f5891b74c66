"""Runs chapter 7's benchmark and PyTorch's on this machine with one thread each, twice, taking
turns (ours, PyTorch's, ours, PyTorch's: a busy neighbour only ever slows a run down, so the
fastest of each side counts), and prints the times of a forward and backward pass of the RNN
and the LSTM, their ratios, the share of the matrix-product bound each reaches, the bound with
OpenBLAS's products (PyTorch's), and the same pass with the input's products hoisted out of the
loops (also for batches of 1 and 4 sequences).
./course benchmark runs it.

    /usr/bin/python3 compare_with_pytorch.py BENCHMARK_BINARY [--python PATH]

--python: the Python whose torch to time (default: this one, Debian's python3-torch).
"""
import argparse
import json
import os
import platform
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser(description="Chapter 7's BPTT benchmark beside PyTorch's.")
parser.add_argument("benchmark", help="the ch07-benchmark program")
parser.add_argument("--python", default=sys.executable, help="the Python whose torch to time (default: %(default)s)")
args = parser.parse_args()
env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
TARGET = 0.6  # at most this share of PyTorch's time, for the RNN and the LSTM

def run(command, run_env):
    result = subprocess.run(command, capture_output=True, text=True, env=run_env)
    if result.returncode != 0:  # its own words, not a traceback of ours
        sys.exit(f"compare_with_pytorch.py: {' '.join(command)} failed (exit {result.returncode}):\n{result.stderr.strip()}")
    return json.loads(result.stdout)

ours, theirs = [], []
for _ in range(2):
    ours.append(run([args.benchmark, "--benchmark_format=json"], env))
    # Our products are Eigen's; a PyTorch on OpenBLAS (Debian's) runs with the OPENBLAS_CORETYPE
    # the course chose for this processor, if it chose one (bp::choose_openblas_kernel).
    coretype = ours[0]["context"].get("openblas_coretype", "")
    torch_env = dict(env, OPENBLAS_CORETYPE=coretype) if coretype else env
    theirs.append(run([args.python, os.path.join(here, "benchmark_pytorch.py")], torch_env))

# Floating-point operations of one pass: per step and column, the products W_x x_t and
# W_h h_{t-1} (2 gates n_h (n_x + n_h), gates = 1 for the RNN and 4 for the LSTM) and three
# times as many backward (dW_x and dW_h, dx_t, dh_{t-1}).
N_X, N_H, T, M = 64, 128, 50, 32
def flops(gates):
    return 3 * 2 * gates * N_H * (N_X + N_H) * T * M

def seconds(b):
    return b["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]

mine = {}  # the fastest repetition of each benchmark, by name and batch: "BM_Rnn/32"
for b in (b for run in ours for b in run["benchmarks"]):
    if b.get("run_type", "iteration") != "iteration":
        continue  # Google Benchmark's mean, median, ... of the repetitions
    name = b["name"].split("/min_time")[0]
    mine[name] = min(seconds(b), mine.get(name, float("inf")))
pytorch = {key: min(run[key] for run in theirs) for key in ("rnn_s", "lstm_s")}
cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())

print(f"Chapter 7: the forward and backward pass over a batch (n_x = {N_X}, n_h = {N_H}, T = {T}, m = {M}), in double,")
print(f"the course's own code against PyTorch {theirs[0]['torch']} ({args.python}), one thread each, on {cpu};")
print("the fastest of ten repetitions on each side: five in each of two turns, ours and PyTorch's taken in alternation.")
print("  ours: products by Eigen, compiled for this processor")
given = f" (run with OPENBLAS_CORETYPE={coretype})" if coretype and theirs[0].get("openblas_kernel") else ""
print(f"  PyTorch's products: {theirs[0].get('blas', '?')}{given}")
print(f"ratio: our time over PyTorch's (target: at most {TARGET}). bound: the same matrix products alone, in plain Eigen;")
fast = ours[0]["context"].get("fast_products", "Eigen")
whose = " (PyTorch's on Debian)" if fast == "OpenBLAS" else ""
print(f"{fast} bound: the same products through {fast}{whose}, FastMlp's, and its ratio over PyTorch's time.")
print("hoisted: the same pass with the input's products out of the loops, W_x [x_1 ... x_T] in one product before")
print("the forward loop, dW_x and [dx_1 ... dx_T] in one product each after the backward loop; its ratio over PyTorch's.\n")
print(f"{'layer':<6} {'ours (ms)':>10} {'PyTorch (ms)':>13} {'ratio':>6} {'bound (ms)':>11} {'% of bound':>11} {'GFLOP/s':>8} "
      f"{'hoisted (ms)':>13} {'ratio':>6} {fast + ' bound':>14} {'ratio':>6}")
verdicts = []
for layer, key, gates in (("RNN", "rnn", 1), ("LSTM", "lstm", 4)):
    name = f"BM_{layer.capitalize()}"
    t, torch_t, bound = mine[f"{name}/{M}"], pytorch[f"{key}_s"], mine[f"{name}Products/{gates}"]
    ratio, hoisted, fast_bound = t / torch_t, mine[f"{name}Hoisted/{M}"], mine[f"{name}ProductsFast/{gates}"]
    print(f"{layer:<6} {1e3 * t:>10.2f} {1e3 * torch_t:>13.2f} {ratio:>6.2f} {1e3 * bound:>11.2f} {100 * bound / t:>11.0f} "
          f"{flops(gates) / t / 1e9:>8.1f} {1e3 * hoisted:>13.2f} {hoisted / torch_t:>6.2f} {1e3 * fast_bound:>14.2f} "
          f"{fast_bound / torch_t:>6.2f}")
    verdicts.append(f"{layer} {ratio:.2f} ({'met' if ratio <= TARGET else 'MISSED'})")

# Where one product for all T steps pays most: when each step's own product is small.
print(f"\nThe layers' pass and the hoisted one with fewer sequences per batch (ms; change: hoisted over ours - 1):")
print(f"{'m':>4} {'RNN':>8} {'hoisted':>8} {'change':>7}   {'LSTM':>8} {'hoisted':>8} {'change':>7}")
for batch in (1, 4, M):
    cells = []
    for layer in ("Rnn", "Lstm"):
        small = "" if batch == M else "Small"
        t, hoisted = mine[f"BM_{layer}{small}/{batch}"], mine[f"BM_{layer}Hoisted{small}/{batch}"]
        cells.append(f"{1e3 * t:>8.3f} {1e3 * hoisted:>8.3f} {100 * (hoisted / t - 1):>+6.0f}%")
    print(f"{batch:>4} " + "   ".join(cells))
print(f"\nTarget: RNN and LSTM at most {TARGET} of PyTorch's time (the chapter's code): " + "; ".join(verdicts))
