"""bamboo on Dask: a simulation split into shards, a sweep into points, each a Dask task
that calls the Rust core, merged exactly. Works with any ``distributed.Client``: a
``LocalCluster`` on a laptop, ``dask_jobqueue.SLURMCluster`` or ``PBSCluster`` on a
cluster (docs/python.md). A task ships only texts (the world and doctrine files, a few
kilobytes) and returns a partial report or one point's report; a worker that dies is
replaced by Dask and its task rerun, which changes nothing: every run draws from streams
named by (seed, run), whichever worker runs it.
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any, List, Optional, Sequence, Union

from . import Design, Simulation, _bamboo, _doctrines, _frame, _read_table, PathLike

__all__ = ["simulate", "sweep"]


def _shard_task(inputs: str, runs: int, years: int, seed: int, k: int, n: int) -> str:
    return _bamboo.shard(inputs, runs, years, seed, k, n)


def _point_task(inputs: str, runs: int, years: int, seed: int, number: int, values) -> tuple:
    return _bamboo.run_point(inputs, runs, years, seed, number, [tuple(v) for v in values])


def _workers(client) -> int:
    try:
        return max(1, len(client.scheduler_info()["workers"]))
    except Exception:  # pragma: no cover - a scheduler without the call
        return 1


def simulate(
    world: PathLike = "default",
    doctrines: Union[str, Sequence[str], None] = None,
    runs: int = 1000,
    years: int = 30,
    seed: int = 1,
    *,
    client,
    shards: Optional[int] = None,
    progress: bool = False,
    frame: str = "pandas",
) -> Simulation:
    """``bamboo simulate`` on a Dask cluster: ``shards`` tasks (default: twice the workers),
    each running a slice of the runs; the partial reports merged into the report one
    process gives, byte for byte (``.json`` equals ``bamboo simulate --json``)."""
    inputs = _bamboo.sim_inputs(os.fspath(world), _doctrines(doctrines))
    n = shards or 2 * _workers(client)
    # Keys unique to this call (not the inputs' hash, nor an object's id, which a later
    # call can reuse while the scheduler is still releasing the first: "lost dependencies").
    call = uuid.uuid4().hex
    [inp] = client.scatter([inputs], broadcast=True, hash=False)
    futures = [
        client.submit(_shard_task, inp, runs, years, seed, k, n, key=f"bamboo-shard-{seed}-{k}-of-{n}-{call}", retries=2)
        for k in range(1, n + 1)
    ]
    if progress:
        from distributed import progress as bar

        bar(futures)
    parts = client.gather(futures)
    text, batch = _bamboo.merge(parts)
    return Simulation(text, json.loads(text), _frame(batch, frame))


def sweep(
    design: Union[PathLike, dict, Design],
    client,
    out: PathLike,
    *,
    in_flight: Optional[int] = None,
    progress: bool = True,
    frame: str = "pandas",
):
    """``bamboo sweep DESIGN -o OUT`` on a Dask cluster: one task per point not yet in
    ``out``, at most ``in_flight`` at a time (default: four per worker, so memory stays
    flat in the number of points); each point's report and row written by this process
    as soon as it returns; returns the table (``OUT/sweep.csv``). The files equal those
    of ``bamboo sweep``, whatever the workers."""
    from itertools import islice

    from distributed import as_completed

    d = Design(design, out)
    runs, years, seed = d._d.config
    inputs = d._d.inputs()
    todo = list(d._d.todo())
    limit = in_flight or 4 * _workers(client)
    call = uuid.uuid4().hex  # keys unique to this call (see simulate)
    [inp] = client.scatter([inputs], broadcast=True, hash=False)
    bar = None
    if progress and todo:
        try:
            from tqdm.auto import tqdm  # optional

            bar = tqdm(total=len(todo), desc="bamboo sweep", unit="point")
        except ImportError:
            bar = None

    def submit(n: int):
        return client.submit(_point_task, inp, runs, years, seed, n, d._d.point(n), key=f"bamboo-point-{n}-{call}", retries=2)

    it = iter(todo)
    pending = as_completed([submit(n) for n in islice(it, limit)], with_results=False)
    for fut in pending:
        number = int(fut.key.split("-")[2])
        text, row = fut.result()
        d._d.write_point(number, text, row)
        fut.release()
        if bar is not None:
            bar.update(1)
        nxt = next(it, None)
        if nxt is not None:
            pending.add(submit(nxt))
    if bar is not None:
        bar.close()
    return _read_table(d._d.finish(), frame)
