"""Runs the course's training benchmark and PyTorch's, one after the other on this machine
with one thread each, and prints the times, their ratios and how close each comes to the
matrix-product bound. ./course benchmark runs it.

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
parser = argparse.ArgumentParser(description="Chapter 5's training benchmark beside PyTorch's.")
parser.add_argument("benchmark", help="the ch05-benchmark program")
parser.add_argument("--python", default=sys.executable, help="the Python whose torch to time (default: %(default)s)")
args = parser.parse_args()
env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")

ours = json.loads(subprocess.run([args.benchmark, "--benchmark_format=json"], check=True, capture_output=True, text=True, env=env).stdout)
# The benchmark may have set OPENBLAS_CORETYPE as it started (bp::choose_openblas_kernel): a
# PyTorch on OpenBLAS (Debian's) gets the same, so that the two differ in code, not in kernel.
coretype = ours["context"].get("openblas_coretype", "")
torch_env = dict(env, OPENBLAS_CORETYPE=coretype) if coretype else env
theirs = json.loads(subprocess.run([args.python, os.path.join(here, "benchmark_pytorch.py")], check=True, capture_output=True, text=True,
                                   env=torch_env).stdout)

# Floating-point operations of one epoch of 784-256-128-10 (60000 examples): per example and
# layer, n_in n_out multiply-adds for z = W a_prev and as many for dW = dz a_prev^T, and for
# every layer but the first as many again for da_prev = W^T dz.
sizes = [784, 256, 128, 10]
macs = sum(2 * a * b for a, b in zip(sizes, sizes[1:])) + sum(a * b for a, b in zip(sizes[1:], sizes[2:]))
epoch_flops = 2 * macs * 60000

def seconds(b):
    return b["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]

mine, mine_cpu = {}, {}  # the faster repetition of each benchmark, in wall time and in the thread's CPU time
for b in ours["benchmarks"]:
    if b.get("run_type", "iteration") != "iteration":
        continue  # Google Benchmark's mean, median, ... of the repetitions
    name, batch = b["name"].split("/")[0:2]
    mine[(name, int(batch))] = min(seconds(b), mine.get((name, int(batch)), float("inf")))
    mine_cpu[(name, int(batch))] = min(seconds(dict(b, real_time=b["cpu_time"])), mine_cpu.get((name, int(batch)), float("inf")))
torch = {(r["dtype"], r["batch"]): r for r in theirs["runs"]}
cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())

print(f"PyTorch {theirs['torch']} ({args.python}) and this course, one thread each, on {cpu}.")
print(f"  FastMlp's products: {ours['context'].get('products_kernel', ours['context'].get('products', '?'))}")
given = f" (run with OPENBLAS_CORETYPE={coretype} too)" if coretype and theirs.get("openblas_kernel") else ""
print(f"  PyTorch's products: {theirs.get('blas', '?')}{given}")
print(f"An epoch is {epoch_flops / 1e9:.1f} GFLOP of matrix products. ratio: our time over PyTorch's; % of bound: the same"
      " products alone over the whole epoch.\n")
head = f"{'batch':>5} {'':<6}|{'FastMlp':>9} {'PyTorch':>8} {'ratio':>6} {'bound':>7} {'%':>4} {'GFLOP/s':>7} |"
print(f"{'':<12}|{'float32':^47}|{'float64':^47}|{'course code (double)':^28}")
print(head + head[12:] + f"{'time':>9} {'ratio f64':>9} {'Eigen bound':>11}")
for m in (32, 128, 512):
    for what, key in (("step", "step_s"), ("epoch", "epoch_s")):
        line = f"{m:>5} {what:<6}|"
        for dtype, suffix in (("float32", "float"), ("float64", "double")):
            t = mine[(f"BM_Fast{what.capitalize()}_{suffix}", m)]
            line += f"{t:>9.4g} {torch[(dtype, m)][key]:>8.4g} {t / torch[(dtype, m)][key]:>6.2f} "
            if what == "epoch":
                bound = mine[(f"BM_FastBound_{suffix}", m)]
                line += f"{bound:>7.3g} {100 * bound / t:>4.0f} {epoch_flops / t / 1e9:>7.1f} |"
            else:
                line += f"{'':>7} {'':>4} {'':>7} |"
        t = mine[(f"BM_Course{what.capitalize()}", m)]
        line += f"{t:>9.4g} {t / torch[('float64', m)][key]:>9.2f}"
        line += f" {mine[('BM_EigenBound_double', m)]:>11.3g}" if what == "epoch" else ""
        print(line)
print("\nTargets (chapter 5): a FastMlp epoch in at most 0.5 of PyTorch's time in float32 and 0.7 in float64. 'Eigen bound'")
print("is the course code's own: the same products in plain Eigen, in double.")
for m in (32, 128, 512):
    verdicts = []
    for dtype, suffix, target in (("float32", "float", 0.5), ("float64", "double", 0.7)):
        t, bound = mine[(f"BM_FastEpoch_{suffix}", m)], mine[(f"BM_FastBound_{suffix}", m)]
        ratio = t / torch[(dtype, m)]["epoch_s"]
        verdict = f"{dtype} {ratio:.2f} ({'met' if ratio <= target else 'MISSED'}, {100 * bound / t:.0f} % of the bound)"
        if ratio > target:  # then say whether any implementation of these products could meet it here
            needed = epoch_flops / (target * torch[(dtype, m)]["epoch_s"]) / 1e9
            verdict += f": needs {needed:.0f} GFLOP/s, the products alone reach {epoch_flops / bound / 1e9:.0f}"
        verdicts.append(verdict)
    print(f"  batch {m:>3}: " + "; ".join(verdicts))
# The course engine's target (issue 23): in CPU time, which a busy neighbour on a shared machine
# stretches far less than wall time; the two agree on an idle one.
engine_target = 1.3
print(f"Target (chapter 5): the course engine's epoch within {engine_target}x of its own Eigen product bound (CPU time).")
# What every step does after its backward pass, whatever the batch size (BM_CourseUpdate), and
# its parts, timed alone: what a missed target is set against.
update = mine_cpu[("BM_CourseUpdate", 32)]
parts = [(what, mine_cpu[(f"BM_CourseUpdate_{part}", 32)])
         for what, part in (("gradients' check", "check_gradients"), ("Adam", "adam"), ("weights' check", "check_values"),
                            ("zero_grad", "zero_grad"))]
for m in (32, 128, 512):
    epoch, bound = mine_cpu[("BM_CourseEpoch", m)], mine_cpu[("BM_EigenBound_double", m)]
    ratio = epoch / bound
    wall = mine[("BM_CourseEpoch", m)] / mine[("BM_EigenBound_double", m)]
    verdict = f"  batch {m:>3}: {ratio:.2f} ({'met' if ratio <= engine_target else 'MISSED'}; in wall time {wall:.2f})"
    if ratio > engine_target:
        steps = -(-60000 // m)
        over = epoch - engine_target * bound
        verdict += (f": {over:.3f} s over {engine_target}x the bound, {1e3 * over / steps:.3f} ms in each of {steps} steps;"
                    f" the update takes {1e3 * update:.3f} ms of each")
    print(verdict)
print(f"  The update of a step (CPU time, any batch size): {1e3 * update:.3f} ms; its parts alone: " +
      ", ".join(f"{what} {1e3 * t:.3f}" for what, t in parts) + " ms.")
