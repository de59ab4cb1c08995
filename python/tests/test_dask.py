"""bamboo.dask on a real LocalCluster (worker processes): shards and points as Dask tasks,
merged exactly: the same bytes as the CLI, whatever the number of shards, and after a
worker process is killed in the middle of its task."""

import os
import signal
import threading
import time

import pytest

distributed = pytest.importorskip("distributed")

import bamboo
import bamboo.dask as bd


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


SIM = ["--runs", "60", "--years", "6", "--seed", "4"]


@pytest.mark.parametrize("shards", [1, 3, 8])
def test_dask_simulate_is_byte_identical_to_the_cli(client, cli, shards):
    want = cli("simulate", *SIM, "--json").stdout
    got = bd.simulate(runs=60, years=6, seed=4, client=client, shards=shards)
    assert got.json == want
    assert len(got.outcomes) == 4 * 6


def test_a_killed_worker_changes_nothing(client, cli):
    runs = 3000
    want = cli("simulate", "--runs", str(runs), "--years", "30", "--seed", "9", "--json").stdout
    pids = client.run(os.getpid)
    killed = []

    def kill_when_busy():
        # Kill the first worker seen running a bamboo task, while it runs.
        deadline = time.time() + 60
        while time.time() < deadline and not killed:
            for addr, tasks in client.processing().items():
                if any("bamboo-shard" in str(t) for t in tasks) and addr in pids:
                    time.sleep(0.3)
                    os.kill(pids[addr], signal.SIGKILL)
                    killed.append(addr)
                    return
            time.sleep(0.05)

    t = threading.Thread(target=kill_when_busy)
    t.start()
    got = bd.simulate(runs=runs, years=30, seed=9, client=client, shards=4)
    t.join()
    assert killed, "no worker was killed: the test did not test anything"
    assert got.json == want
    client.wait_for_workers(2, timeout=60)


def test_dask_sweep_equals_the_cli_and_resumes(client, cli, tmp_path):
    d = tmp_path / "d.toml"
    d.write_text('runs = 8\nyears = 3\nseed = 5\ndoctrines = ["vietnam", "neutral"]\n'
                 '[latin_hypercube]\npoints = 6\nseed = 2\nranges = { polarisation = [0.2, 0.8], reaction = [0.1, 0.5] }\n')
    cli("sweep", str(d), "-o", str(tmp_path / "cli"), "--quiet")
    want = (tmp_path / "cli" / "sweep.csv").read_text()
    df = bd.sweep(d, client, out=tmp_path / "dask", in_flight=2, progress=False)
    assert len(df) == 6
    assert (tmp_path / "dask" / "sweep.csv").read_text() == want
    for n in range(1, 7):
        assert (tmp_path / "cli" / "points" / f"{n:06}.json").read_text() == (tmp_path / "dask" / "points" / f"{n:06}.json").read_text()
    (tmp_path / "dask" / "points" / "000005.csv").unlink()
    (tmp_path / "dask" / "sweep.csv").unlink()
    bd.sweep(d, client, out=tmp_path / "dask", progress=False)
    assert (tmp_path / "dask" / "sweep.csv").read_text() == want


def test_calls_in_a_row_share_no_keys(client, tmp_path):
    # Keys once came from the inputs' hash and an object's id, which the next call can
    # reuse while the scheduler still releases the first call's: "lost dependencies".
    d = tmp_path / "d.toml"
    d.write_text('runs = 4\nyears = 2\nseed = 3\n[[point]]\npolarisation = 0.3\n[[point]]\npolarisation = 0.6\n')
    tables = []
    for k in range(8):
        bd.sweep(d, client, out=tmp_path / f"o{k}", progress=False)
        tables.append((tmp_path / f"o{k}" / "sweep.csv").read_text())
        bd.simulate(runs=4, years=2, seed=3, client=client, shards=2)
    assert len(set(tables)) == 1
