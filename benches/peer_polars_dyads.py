#!/usr/bin/env python3
"""A polars peer for `bamboo dyads` (BENCHMARKS.md, "Peers"): the dyad table as a data
frame library computes it, a self-join of the votes on the roll call.

It reads the same gzipped unvotes CSVs as `benches/peer_numpy_dyads.py` (the country codes
mapped to ISO3 the same way), joins every vote with every other vote on the same roll call
(a < b by ISO3), counts the nine joint outcomes per (year, a, b), and computes n, agreement,
S (r=1), weighted kappa (r=2) and Scott's pi from them, then writes the same CSV:
`year,a,b,n,agreement,s,kappa,pi`, sorted by year, a, b, undefined values empty.

Usage: peer_polars_dyads.py DATA_DIR [--from Y] [--to Y] [-o OUT.csv]
"""
import polars as pl

from peer_common import UNCODED_NAMES, VOTE_INDEX, iso3_of_iso2, parse_args, roll_calls_csv, votes_csv, write_csv


def measures(t):
    """n, agreement, S, kappa and pi from the nine count columns c00..c22."""
    c = {(x, z): pl.col(f"c{x}{z}") for x in range(3) for z in range(3)}
    n = sum(c.values())
    d1 = lambda x, z: abs(x - z) / 2.0
    p = {k: v / n for k, v in c.items()}
    pa = [sum(p[(x, z)] for z in range(3)) for x in range(3)]
    pb = [sum(p[(x, z)] for x in range(3)) for z in range(3)]
    obs1 = sum(d1(x, z) * p[(x, z)] for x in range(3) for z in range(3))
    do = sum(d1(x, z) ** 2 * p[(x, z)] for x in range(3) for z in range(3))
    de = sum(d1(x, z) ** 2 * pa[x] * pb[z] for x in range(3) for z in range(3))
    po = p[(0, 0)] + p[(1, 1)] + p[(2, 2)]
    pe = sum(((pa[x] + pb[x]) / 2.0) ** 2 for x in range(3))
    return t.select(
        "year", "a", "b",
        n.cast(pl.Int64).alias("n"),
        (1.0 - obs1).alias("agreement"),
        (1.0 - 2.0 * obs1).alias("s"),
        pl.when(de > 0).then(1.0 - do / de).otherwise(None).alias("kappa"),
        pl.when(pe < 1.0).then((po - pe) / (1.0 - pe)).otherwise(None).alias("pi"),
    )


def main():
    a = parse_args()
    iso2 = iso3_of_iso2(a.data)

    rc = pl.read_csv(roll_calls_csv(a.data), columns=["rcid", "date"]).select(
        pl.col("rcid").cast(pl.Float64).cast(pl.Int64),
        pl.col("date").str.slice(0, 4).cast(pl.Int32).alias("year"),
    )
    # Polars reads "NA" (Namibia) as text; only an empty code is missing.
    v = pl.read_csv(
        votes_csv(a.data),
        schema_overrides={"rcid": pl.Float64, "country": pl.Utf8, "country_code": pl.Utf8, "vote": pl.Utf8},
    )
    v = v.select(
        pl.col("rcid").cast(pl.Int64),
        pl.when(pl.col("country_code").is_not_null())
        .then(pl.col("country_code").replace_strict(iso2, default=None))
        .otherwise(pl.col("country").replace_strict(UNCODED_NAMES, default=None))
        .alias("c"),
        pl.col("vote").replace_strict(VOTE_INDEX, return_dtype=pl.Int8).alias("v"),
    ).join(rc, on="rcid").filter(pl.col("year").is_between(a.lo, a.hi))

    pairs = (
        v.lazy()
        .join(v.lazy(), on=["rcid", "year"], suffix="_b")
        .filter(pl.col("c") < pl.col("c_b"))
        .with_columns((pl.col("v") * 3 + pl.col("v_b")).alias("k"))
        .group_by("year", pl.col("c").alias("a"), pl.col("c_b").alias("b"))
        .agg([(pl.col("k") == x * 3 + z).sum().alias(f"c{x}{z}") for x in range(3) for z in range(3)])
    )
    out = measures(pairs).sort("year", "a", "b").collect()
    write_csv(a.out, out.write_csv(float_precision=None))


if __name__ == "__main__":
    main()
