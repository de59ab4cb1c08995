"""What the dyad peers (`peer_numpy_dyads.py`, `peer_polars_dyads.py`,
`peer_duckdb_dyads.py`) share, written once: their command line, the unvotes files they
read, how a vote row's country becomes an ISO3 code (as bamboo's reader maps it), the vote
coding, and the CSV they write (`year,a,b,n,agreement,s,kappa,pi`, a < b by ISO3, sorted
by year, a, b, undefined values empty).

Each peer still parses the CSVs its own way (the csv module, polars, DuckDB's reader): that
is part of what each one measures.
"""
import argparse
import csv
import sys

# The historical ISO2 codes of `un_votes.csv` (shared/data/README.md) and bamboo's ISO3 codes
# for them.
HISTORICAL_ISO2 = {"DD": "DDR", "YD": "YMD", "CS": "CSK", "YU": "YUG"}
# The three vote rows with an empty country code, by country name.
UNCODED_NAMES = {"Federal Republic of Germany": "DEU", "Yemen Arab Republic": "YEM", "Zanzibar": "ZAN"}
# Row and column of a vote in the 3 x 3 joint table.
VOTE_INDEX = {"yes": 0, "abstain": 1, "no": 2}
HEADER = "year,a,b,n,agreement,s,kappa,pi\n"


def parse_args():
    """`DATA_DIR [--from Y] [--to Y] [-o OUT.csv]`: the data folder, the years (1946-2019 by
    default, the span of the unvotes files) and the output (stdout by default)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--from", dest="lo", type=int, default=1946)
    ap.add_argument("--to", dest="hi", type=int, default=2019)
    ap.add_argument("-o", "--out", default="-")
    return ap.parse_args()


def votes_csv(data):
    return f"{data}/unga/un_votes.csv.gz"


def roll_calls_csv(data):
    return f"{data}/unga/un_roll_calls.csv.gz"


def iso3_of_iso2(data):
    """ISO2 -> ISO3 from `countries.csv`, with the historical codes. The csv module keeps
    "NA" (Namibia) as text (a pandas-style reader would make it missing)."""
    iso2 = {}
    with open(f"{data}/countries.csv", newline="") as f:
        for r in csv.DictReader(f):
            if r["iso2"]:
                iso2[r["iso2"]] = r["iso3"]
    iso2.update(HISTORICAL_ISO2)
    return iso2


def write_csv(path, text):
    """Writes the whole CSV text to `path` (`-`: stdout)."""
    if path == "-":
        sys.stdout.write(text)
        return
    with open(path, "w", newline="") as f:
        f.write(text)
