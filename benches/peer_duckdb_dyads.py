#!/usr/bin/env python3
"""A DuckDB peer for `bamboo dyads` (BENCHMARKS.md, "Peers"): the dyad table as SQL, a
self-join of the votes on the roll call, in an in-memory DuckDB database.

It reads the same gzipped unvotes CSVs as `benches/peer_numpy_dyads.py` (country codes
mapped to ISO3 the same way), joins every vote with every other vote on the same roll call
(a < b by ISO3), counts the nine joint outcomes per (year, a, b), computes n, agreement,
S (r=1), weighted kappa (r=2) and Scott's pi, and writes the same CSV:
`year,a,b,n,agreement,s,kappa,pi`, sorted by year, a, b, undefined values empty.

Usage: peer_duckdb_dyads.py DATA_DIR [--from Y] [--to Y] [-o OUT.csv]
"""
import duckdb

from peer_common import HEADER, UNCODED_NAMES, iso3_of_iso2, parse_args, roll_calls_csv, votes_csv, write_csv


def main():
    a = parse_args()
    iso2 = iso3_of_iso2(a.data)

    db = duckdb.connect()
    db.execute("CREATE TABLE iso2 (code VARCHAR, iso3 VARCHAR)")
    db.executemany("INSERT INTO iso2 VALUES (?, ?)", list(iso2.items()))
    db.execute("CREATE TABLE names (name VARCHAR, iso3 VARCHAR)")
    db.executemany("INSERT INTO names VALUES (?, ?)", list(UNCODED_NAMES.items()))
    # all_varchar and no null strings: "NA" is Namibia.
    read = "read_csv('{}', header = true, all_varchar = true, nullstr = '')"
    db.execute(f"""
        CREATE TABLE v AS
        SELECT CAST(CAST(v.rcid AS DOUBLE) AS BIGINT) AS rcid,
               CAST(substr(r.date, 1, 4) AS INTEGER) AS year,
               COALESCE(i.iso3, n.iso3) AS c,
               CASE v.vote WHEN 'yes' THEN 0 WHEN 'abstain' THEN 1 ELSE 2 END AS v
        FROM {read.format(votes_csv(a.data))} v
        JOIN {read.format(roll_calls_csv(a.data))} r
          ON CAST(CAST(v.rcid AS DOUBLE) AS BIGINT) = CAST(CAST(r.rcid AS DOUBLE) AS BIGINT)
        LEFT JOIN iso2 i ON i.code = v.country_code
        LEFT JOIN names n ON v.country_code IS NULL AND n.name = v.country
        WHERE CAST(substr(r.date, 1, 4) AS INTEGER) BETWEEN {a.lo} AND {a.hi}
    """)
    counts = ", ".join(
        f"count(*) FILTER (WHERE x.v = {x} AND y.v = {z}) AS c{x}{z}" for x in range(3) for z in range(3)
    )
    p = {(x, z): f"c{x}{z} / n" for x in range(3) for z in range(3)}
    pa = [f"({p[(x, 0)]} + {p[(x, 1)]} + {p[(x, 2)]})" for x in range(3)]
    pb = [f"({p[(0, z)]} + {p[(1, z)]} + {p[(2, z)]})" for z in range(3)]
    d1 = lambda x, z: abs(x - z) / 2.0
    obs1 = " + ".join(f"{d1(x, z)} * {p[(x, z)]}" for x in range(3) for z in range(3))
    do = " + ".join(f"{d1(x, z) ** 2} * {p[(x, z)]}" for x in range(3) for z in range(3))
    de = " + ".join(f"{d1(x, z) ** 2} * {pa[x]} * {pb[z]}" for x in range(3) for z in range(3))
    po = f"{p[(0, 0)]} + {p[(1, 1)]} + {p[(2, 2)]}"
    pe = " + ".join(f"power(({pa[x]} + {pb[x]}) / 2.0, 2)" for x in range(3))
    rows = db.execute(f"""
        WITH t AS (
            SELECT x.year, x.c AS a, y.c AS b, {counts}
            FROM v x JOIN v y ON x.rcid = y.rcid AND x.c < y.c
            GROUP BY x.year, x.c, y.c
        ), m AS (
            SELECT *, CAST(c00 + c01 + c02 + c10 + c11 + c12 + c20 + c21 + c22 AS DOUBLE) AS n FROM t
        )
        SELECT year, a, b, CAST(n AS BIGINT),
               1.0 - ({obs1}), 1.0 - 2.0 * ({obs1}),
               CASE WHEN ({de}) > 0 THEN 1.0 - ({do}) / ({de}) END,
               CASE WHEN ({pe}) < 1.0 THEN (({po}) - ({pe})) / (1.0 - ({pe})) END
        FROM m ORDER BY year, a, b
    """).fetchall()
    fmt = lambda x: "" if x is None else repr(x)
    body = "".join(f"{y},{p_},{q},{n},{fmt(g)},{fmt(s)},{fmt(k)},{fmt(pi)}\n" for y, p_, q, n, g, s, k, pi in rows)
    write_csv(a.out, HEADER + body)


if __name__ == "__main__":
    main()
