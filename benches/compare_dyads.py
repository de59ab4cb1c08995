#!/usr/bin/env python3
"""Compares two dyad CSVs (`year,a,b,n,agreement,s,kappa,pi`) row by row: the same rows in
the same order, equal n, equal emptiness, and every value within a tolerance.

Usage: compare_dyads.py A.csv B.csv [--tol 1e-9]. Exit 0 when they agree, 1 otherwise.
"""
import argparse
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--tol", type=float, default=1e-9)
    args = ap.parse_args()
    worst, rows, bad = 0.0, 0, []
    with open(args.a) as fa, open(args.b) as fb:
        ha, hb = fa.readline(), fb.readline()
        if ha != hb:
            bad.append(f"headers differ: {ha!r} vs {hb!r}")
        for i, (la, lb) in enumerate(zip(fa, fb), start=2):
            rows += 1
            xa, xb = la.rstrip("\n").split(","), lb.rstrip("\n").split(",")
            if xa[:4] != xb[:4]:
                bad.append(f"line {i}: keys or n differ: {xa[:4]} vs {xb[:4]}")
                break
            for col, (u, v) in zip(["agreement", "s", "kappa", "pi"], zip(xa[4:], xb[4:])):
                if (u == "") != (v == ""):
                    bad.append(f"line {i} {col}: {u!r} vs {v!r}")
                elif u:
                    d = abs(float(u) - float(v))
                    worst = max(worst, d)
                    if d > args.tol:
                        bad.append(f"line {i} {col}: {u} vs {v} (diff {d:.3g})")
            if len(bad) > 20:
                break
        if fa.readline() or fb.readline():
            bad.append("the files have different numbers of rows")
    print(f"{rows} rows compared, largest difference {worst:.3g}, tolerance {args.tol:g}")
    for b in bad:
        print(b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
