"""Simulations, shards and sweeps from Python equal the CLI's bytes; sweeps resume."""

import json

import pandas as pd
import pytest

import bamboo

SIM = ["--runs", "40", "--years", "5", "--seed", "3"]


def test_simulate_is_the_cli_json_and_outcomes_frame(cli):
    s = bamboo.simulate(doctrines="vietnam,neutral", runs=40, years=5, seed=3)
    assert s.json == cli("simulate", "--doctrines", "vietnam,neutral", *SIM, "--json").stdout
    assert s.report["runs"] == 40
    o = s.outcomes
    assert list(o.columns) == ["doctrine", "outcome", "mean", "p5", "p50", "p95"]
    assert len(o) == 12
    gain = o[(o.doctrine == "vietnam") & (o.outcome == "economic_gain")].iloc[0]
    assert gain["mean"] == s.report["doctrines"][0]["outcomes"]["economic_gain"]["mean"]
    assert pd.isna(o[o.outcome == "p_break"].iloc[0]["p5"])


def test_cli_shards_merge_in_python_to_the_cli_report(cli, tmp_path):
    whole = cli("simulate", *SIM, "--json").stdout
    parts = []
    for k in (1, 2, 3):
        f = tmp_path / f"part-{k}.json"
        cli("simulate", *SIM, "--shard", f"{k}/3", "--json", "-o", str(f))
        parts.append(f.read_text())
    assert bamboo.merge(parts[::-1]).json == whole
    with pytest.raises(bamboo.BambooError, match="do not cover every run"):
        bamboo.merge(parts[:2])


def test_simulation_errors_are_located():
    with pytest.raises(bamboo.BambooError, match="unknown doctrine `nope`"):
        bamboo.simulate(doctrines=["vietnam", "nope"], runs=2, years=2)
    with pytest.raises(bamboo.BambooError, match="--runs must be at least 1"):
        bamboo.simulate(runs=0)


DESIGN = 'runs = 6\nyears = 3\nseed = 2\ndoctrines = ["vietnam", "neutral"]\n[factorial]\npolarisation = [0.3, 0.7]\nvolatility = [0.1, 0.2]\n'


def test_local_sweep_equals_the_cli_and_resumes(cli, tmp_path):
    d = tmp_path / "d.toml"
    d.write_text(DESIGN)
    cli("sweep", str(d), "-o", str(tmp_path / "cli"), "--quiet")
    want = (tmp_path / "cli" / "sweep.csv").read_text()
    df = bamboo.sweep(d, tmp_path / "py")
    assert (tmp_path / "py" / "sweep.csv").read_text() == want
    assert len(df) == 4 and list(df.columns[:3]) == ["point", "polarisation", "volatility"]
    for n in range(1, 5):
        a = (tmp_path / "cli" / "points" / f"{n:06}.json").read_text()
        assert a == (tmp_path / "py" / "points" / f"{n:06}.json").read_text()
    # Interrupted after two points: the rest resumes to the same table.
    (tmp_path / "py" / "points" / "000003.csv").unlink()
    (tmp_path / "py" / "points" / "000004.csv").unlink()
    (tmp_path / "py" / "sweep.csv").unlink()
    bamboo.sweep(d, tmp_path / "py")
    assert (tmp_path / "py" / "sweep.csv").read_text() == want
    # A design as a dict is the same design.
    keys = {"runs": 6, "years": 3, "seed": 2, "doctrines": ["vietnam", "neutral"],
            "factorial": {"polarisation": [0.3, 0.7], "volatility": [0.1, 0.2]}}
    bamboo.sweep(keys, tmp_path / "dict")
    assert (tmp_path / "dict" / "sweep.csv").read_text() == want


def test_bad_designs_raise_located_errors(tmp_path):
    d = tmp_path / "d.toml"
    d.write_text("[factorial]\npolarisation = [0.3, 1.7]\n")
    with pytest.raises(bamboo.BambooError, match=r"d\.toml:2: key `factorial\.polarisation`.*outside 0\.\.1"):
        bamboo.Design(d)
    with pytest.raises(bamboo.BambooError, match="exactly one of"):
        bamboo.Design({"runs": 3})
