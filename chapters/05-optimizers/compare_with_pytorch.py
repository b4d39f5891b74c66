"""Runs the course's training benchmark and PyTorch's, one after the other on this machine
with one thread each, and prints the times and their ratios. ./course benchmark runs it.

    /usr/bin/python3 compare_with_pytorch.py BENCHMARK_BINARY
"""
import json
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")

ours = json.loads(subprocess.run([sys.argv[1], "--benchmark_format=json"], check=True, capture_output=True, text=True, env=env).stdout)
theirs = json.loads(subprocess.run([sys.executable, os.path.join(here, "benchmark_pytorch.py")], check=True, capture_output=True, text=True,
                                   env=env).stdout)

def seconds(b):
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
    return b["real_time"] * scale

mine = {}
for b in ours["benchmarks"]:
    name, batch = b["name"].split("/")[0:2]
    mine[(name, int(batch))] = seconds(b)

print(f"PyTorch {theirs['torch']} ({theirs['threads']} thread) against this course's library (double, 1 thread)\n")
print(f"{'batch':>5}  {'what':<6} {'ours f64':>10} {'torch f64':>10} {'ratio':>6} {'torch f32':>10} {'ratio':>6} {'matmul bound':>13} {'% of bound':>10} {'f32 bound':>10}")
for run64 in [r for r in theirs["runs"] if r["dtype"] == "float64"]:
    m = run64["batch"]
    run32 = next(r for r in theirs["runs"] if r["dtype"] == "float32" and r["batch"] == m)
    for what, key, ours_key in (("step", "step_s", "BM_Step"), ("epoch", "epoch_s", "BM_Epoch")):
        t = mine[(ours_key, m)]
        bound = mine[("BM_MatmulBound", m)] if what == "epoch" else float("nan")
        print(f"{m:>5}  {what:<6} {t:>10.4g} {run64[key]:>10.4g} {t / run64[key]:>6.2f} {run32[key]:>10.4g} {t / run32[key]:>6.2f}"
              f" {bound:>13.4g} {100 * bound / t if what == 'epoch' else float('nan'):>9.0f}%"
              f" {mine[('BM_MatmulBoundFloat', m)] if what == 'epoch' else float('nan'):>10.4g}")
print("\nratio: our time over PyTorch's (below 1: faster). Float32 training is not implemented yet;")
print("'f32 bound' is what the same products alone take in float: no float32 epoch can be much faster.")
