#!/usr/bin/env python3
"""Benchmark of a Latin-hypercube sweep three ways (BENCHMARKS.md): one Python process
(bamboo.sweep), the CLI (`bamboo sweep`), and Dask LocalCluster with 2 worker processes
(bamboo.dask.sweep); plus Dask's overhead per task (an empty task, and a 1-run point).

    python3 benches/sweep_dask.py [POINTS] [RUNS] [BAMBOO_BIN] [DOCTRINES]

DOCTRINES is a comma-separated list (default: the world's own `compare` list).

Run from the repository root after `pip install ./python` and `cargo build --release`.
"""

import os
import subprocess
import sys
import tempfile
import time

import bamboo
import bamboo.dask as bd


def main():
    points = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    exe = sys.argv[3] if len(sys.argv) > 3 else "target/release/bamboo"
    doctrines = [d for d in (sys.argv[4] if len(sys.argv) > 4 else "").split(",") if d]
    chosen = f"doctrines = {doctrines!r}\n" if doctrines else ""
    design = chosen + f"""runs = {runs}
    years = 30
    seed = 1
    [latin_hypercube]
    points = {points}
    seed = 7
    ranges = {{ polarisation = [0.2, 0.9], volatility = [0.02, 0.2], reaction = [0.1, 0.6], coercion = [0.0, 1.0], incident_rate = [0.0, 1.0] }}
    """
    tmp = tempfile.mkdtemp()
    d = os.path.join(tmp, "design.toml")
    open(d, "w").write(design)


    def timed(f):
        t = time.perf_counter()
        f()
        return time.perf_counter() - t


    one = timed(lambda: bamboo.sweep(d, os.path.join(tmp, "py")))
    cli = timed(lambda: subprocess.run([exe, "sweep", d, "-o", os.path.join(tmp, "cli"), "--quiet"], check=True))

    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    client.run(lambda: __import__("bamboo"))  # import on the workers before timing
    dsk = timed(lambda: bd.sweep(d, client, out=os.path.join(tmp, "dask"), progress=False))
    same = open(os.path.join(tmp, "py", "sweep.csv")).read() == open(os.path.join(tmp, "cli", "sweep.csv")).read() == open(os.path.join(tmp, "dask", "sweep.csv")).read()

    # Per-task overhead: 200 empty tasks, then 200 one-run points, through the same client.
    n = 200
    empty = timed(lambda: client.gather(client.map(lambda i: i, range(n), pure=False))) / n
    tiny = os.path.join(tmp, "tiny.toml")
    open(tiny, "w").write(design.replace(f"runs = {runs}", "runs = 1").replace(f"points = {points}", f"points = {n}"))
    local_tiny = timed(lambda: bamboo.sweep(tiny, os.path.join(tmp, "tiny-py"))) / n
    dask_tiny = timed(lambda: bd.sweep(tiny, client, out=os.path.join(tmp, "tiny-dask"), progress=False)) / n
    client.close()
    cluster.close()

    print(f"design: {points} points (Latin hypercube over 5 parameters) x {runs} runs x 30 years, doctrines: {', '.join(doctrines) or 'the world default'}")
    print(f"one process (bamboo.sweep):        {one:8.1f} s")
    print(f"bamboo sweep (CLI):                {cli:8.1f} s")
    print(f"Dask LocalCluster, 2 workers:      {dsk:8.1f} s  ({100 * (dsk / one - 1):+.0f}% vs one process)")
    print(f"tables identical: {same}")
    print(f"Dask per task: empty task {1e3 * empty:.2f} ms; 1-run point {1e3 * dask_tiny:.1f} ms vs {1e3 * local_tiny:.1f} ms in process")


if __name__ == "__main__":  # Dask's worker processes import this file
    main()
