#!/usr/bin/env python3
"""The named peer for `bamboo dyads`: a careful numpy implementation, written independently
of bamboo's Rust code, used both as the speed baseline (BENCHMARKS.md) and as the
independent implementation that `bamboo dyads` is checked against to 1e-9.

It reads the same gzipped unvotes CSVs, builds one-hot (countries x roll calls) vote
matrices per year, gets every pair's 3x3 joint counts from nine matrix products, computes
n, agreement, S (r=1), weighted kappa (r=2) and Scott's pi vectorised over the upper
triangle, and writes the same CSV: `year,a,b,n,agreement,s,kappa,pi`, a < b by ISO3, rows
sorted by year, a, b, undefined values empty.

Usage: peer_numpy_dyads.py DATA_DIR [--from Y] [--to Y] [-o OUT.csv]
"""
import csv
import gzip
import io

import numpy as np

from peer_common import HEADER, UNCODED_NAMES, VOTE_INDEX, iso3_of_iso2, parse_args, roll_calls_csv, votes_csv, write_csv


def main():
    a = parse_args()
    iso2 = iso3_of_iso2(a.data)

    year_of = {}
    with gzip.open(roll_calls_csv(a.data), "rt", newline="") as f:
        for r in csv.DictReader(f):
            year_of[int(float(r["rcid"]))] = int(r["date"][:4])

    # Column-wise parse of the votes table.
    with gzip.open(votes_csv(a.data), "rt", newline="") as f:
        rd = csv.reader(f)
        next(rd)
        rcids, codes, votes = [], [], []
        for rcid, name, code, vote in rd:
            rcids.append(int(float(rcid)))
            codes.append(iso2[code] if code else UNCODED_NAMES[name])
            votes.append(VOTE_INDEX[vote])
    rcids = np.array(rcids, dtype=np.int64)
    votes = np.array(votes, dtype=np.int8)
    names, cidx = np.unique(np.array(codes), return_inverse=True)  # sorted ISO3
    years = np.array([year_of[r] for r in rcids], dtype=np.int32)

    buf = io.StringIO()
    buf.write(HEADER)
    d1 = np.array([[0, 0.5, 1], [0.5, 0, 0.5], [1, 0.5, 0]])
    d2 = d1 ** 2
    for y in range(a.lo, a.hi + 1):
        m = years == y
        if not m.any():
            continue
        yc, yr, yv = cidx[m], rcids[m], votes[m]
        cs, ci = np.unique(yc, return_inverse=True)
        rs, ri = np.unique(yr, return_inverse=True)
        onehot = np.zeros((3, len(cs), len(rs)))
        onehot[yv, ci, ri] = 1.0
        iu, ju = np.triu_indices(len(cs), k=1)
        # counts[x][y] is the (countries x countries) matrix of roll calls where i voted x and j voted y.
        C = np.empty((3, 3, len(iu)))
        for x in range(3):
            for z in range(3):
                C[x, z] = (onehot[x] @ onehot[z].T)[iu, ju]
        n = C.sum(axis=(0, 1))
        keep = n > 0
        C, n, iu, ju = C[:, :, keep], n[keep], iu[keep], ju[keep]
        p = C / n
        pa = p.sum(axis=1)  # marginals of i
        pb = p.sum(axis=0)  # marginals of j
        agreement = 1.0 - np.einsum("xz,xzk->k", d1, p)
        s = 1.0 - 2.0 * np.einsum("xz,xzk->k", d1, p)
        do = np.einsum("xz,xzk->k", d2, p)
        de = np.einsum("xz,xk,zk->k", d2, pa, pb)
        with np.errstate(divide="ignore", invalid="ignore"):
            kappa = np.where(de > 0, 1.0 - do / de, np.nan)
            po = p[0, 0] + p[1, 1] + p[2, 2]
            pe = (((pa + pb) / 2.0) ** 2).sum(axis=0)
            pi = np.where(pe < 1.0, (po - pe) / (1.0 - pe), np.nan)
        an, bn = names[cs[iu]], names[cs[ju]]
        order = np.lexsort((bn, an))
        fmt = lambda v: "" if np.isnan(v) else repr(float(v))
        for k in order:
            buf.write(f"{y},{an[k]},{bn[k]},{int(n[k])},{fmt(agreement[k])},{fmt(s[k])},{fmt(kappa[k])},{fmt(pi[k])}\n")
    write_csv(a.out, buf.getvalue())


if __name__ == "__main__":
    main()
