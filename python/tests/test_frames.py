"""DataFrames from bamboo.load() equal the CLI's CSV, column for column and value for value
(floats exactly: the CLI prints shortest round-trip numbers), and bad input raises
BambooError with the CLI's message."""

import io

import pandas as pd
import pytest

import bamboo


@pytest.fixture(scope="module")
def store():
    return bamboo.load()


def csv(cli, *args):
    return pd.read_csv(io.StringIO(cli(*args, "--format", "csv").stdout), keep_default_na=True)


def same(df, expected):
    assert list(df.columns) == list(expected.columns)
    assert len(df) == len(expected)
    pd.testing.assert_frame_equal(
        df.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False, check_exact=True
    )


def test_balance_of_vietnam_in_three_lines(store, cli):
    df = store.balance("VNM")
    same(df, csv(cli, "balance", "VNM"))
    assert set(df["pole"]) == {"USA", "CHN", "RUS"}


def test_balance_windows_and_other_poles(store, cli):
    same(
        store.balance("IND", poles="USA,CHN", from_=1990, to=2010, by="window 5"),
        csv(cli, "balance", "IND", "--poles", "USA,CHN", "--from", "1990", "--to", "2010", "--by", "window", "5"),
    )


def test_align(store, cli):
    same(store.align(["VNM", "USA", "CHN"], by="total"), csv(cli, "align", "VNM", "USA", "CHN", "--by", "total"))
    same(store.align(["FRA", "DEU"], from_=2000), csv(cli, "align", "FRA", "DEU", "--from", "2000"))


def test_dyads(store, cli):
    df = store.dyads(year=2020)
    same(df, csv(cli, "dyads", "--year", "2020"))
    assert len(df) > 10000


def test_ideal(store, cli):
    df = store.ideal(["VNM", "USA"], from_=2010, bootstrap=0)
    same(df, csv(cli, "ideal", "--state", "VNM", "--state", "USA", "--from", "2010", "--bootstrap", "0"))


def test_atlas(store, cli):
    df = store.atlas(year=2019, replicates=200)
    same(df, csv(cli, "atlas", "--year", "2019", "--replicates", "200"))
    assert df["kind"].iloc[-1] == "median" and df["state"].iloc[-1] == "UN"
    assert (df["USA_lo"] <= df["USA"]).all() and (df["USA"] <= df["USA_hi"]).all()
    same(
        store.atlas(year=2019, group="ASEAN", average=True, sort="rank", replicates=100),
        csv(cli, "atlas", "--year", "2019", "--group", "ASEAN", "--average", "--sort", "rank", "--replicates", "100"),
    )
    same(
        store.atlas(from_=2010, to=2012, poles="USA,CHN", metric="kappa", issue="hr", replicates=100, seed=3),
        csv(cli, "atlas", "--from", "2010", "--to", "2012", "--poles", "USA,CHN", "--metric", "kappa", "--issue", "hr", "--replicates", "100", "--seed", "3"),
    )
    # The first year of the data has no previous period: those columns are missing.
    first = store.atlas(year=1946, replicates=50)
    assert first["previous_from"].isna().all()
    same(first, csv(cli, "atlas", "--year", "1946", "--replicates", "50"))
    with pytest.raises(bamboo.BambooError, match="sort `size` is not allowed"):
        store.atlas(sort="size")
    with pytest.raises(bamboo.BambooError, match="group `XYZ` is not a group"):
        store.atlas(group="XYZ")
    with pytest.raises(bamboo.BambooError, match="cannot be combined with issue"):
        store.atlas(metric="ideal", issue="hr")


def test_arrow_frames(store):
    t = store._s.balance("VNM", ["USA", "CHN"], 2000, 2001, "year", "agreement")
    table = bamboo._frame(t, "arrow")
    assert table.schema.field("n").type == "int64"
    assert table.schema.field("alignment").type == "double"


def test_errors_carry_the_cli_message(store, cli):
    with pytest.raises(bamboo.BambooError) as e:
        store.balance("XXX")
    msg = cli("balance", "XXX", check=False).stderr.strip()
    assert msg == "bamboo: error: " + str(e.value)
    with pytest.raises(bamboo.BambooError, match="`decade` is not allowed"):
        store.align(["VNM", "USA"], by="decade")
    with pytest.raises(bamboo.BambooError, match="it covers 1946"):
        store.dyads(year=1900)
    with pytest.raises(bamboo.BambooError, match="does not exist"):
        bamboo.load(data="/nonexistent")


def test_advise_and_backtest_return_the_spec_json(cli, tmp_path):
    import json
    import pathlib

    root = pathlib.Path(".")
    cases = [root / "data/cases/vietnam-record.toml"]
    doctrine = "data/doctrines/vietnam.toml"
    assert cases, "no case files"
    a = bamboo.advise(doctrine, cases[0])
    assert a == json.loads(cli("advise", "--doctrine", doctrine, str(cases[0]), "--json").stdout)
    b = bamboo.backtest(doctrine, cases[0])
    assert b == json.loads(cli("backtest", "--doctrine", doctrine, str(cases[0]), "--json").stdout)
    bad = tmp_path / "bad.toml"
    bad.write_text("[[case]]\nid = 3\n")
    with pytest.raises(bamboo.BambooError) as e:
        bamboo.advise(doctrine, bad)
    assert "bad.toml:2" in str(e.value)
