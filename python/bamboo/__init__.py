"""bamboo from Python: UN General Assembly voting alignment, doctrines and simulations.

The Rust core of the ``bamboo`` CLI, called in-process. Tables come back as pandas
DataFrames (or polars, with ``frame="polars"``) with the CLI's CSV columns and values,
built through Arrow; reports come back as the JSON the CLI prints, parsed to Python
objects. Bad input raises :class:`BambooError` with the CLI's located message.

>>> import bamboo
>>> store = bamboo.load()
>>> store.balance("VNM").head()          # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, Sequence, Tuple, Union

import pyarrow as pa

from . import _bamboo
from ._bamboo import BambooError

__all__ = [
    "BambooError",
    "Design",
    "Simulation",
    "Store",
    "advise",
    "backtest",
    "load",
    "merge",
    "simulate",
    "sweep",
]

PathLike = Union[str, "os.PathLike[str]"]


def _frame(batch: Any, frame: str):
    """An Arrow record batch moved out of Rust, as a pandas (or polars) frame."""
    arr, schema = batch.pointers()
    table = pa.Table.from_batches([pa.RecordBatch._import_from_c(arr, schema)])
    if frame == "pandas":
        return table.to_pandas()
    if frame == "polars":
        import polars as pl  # optional

        return pl.from_arrow(table)
    if frame == "arrow":
        return table
    raise BambooError(f"frame `{frame}` is not allowed; use pandas, polars or arrow")


def _paths(xs: Optional[Iterable[PathLike]]) -> List[str]:
    return [os.fspath(x) for x in (xs or [])]


def _list(x: Union[str, Sequence[str], None]) -> List[str]:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


class Store:
    """The UNGA vote store, loaded once; each method is one CLI command's CSV as a frame."""

    def __init__(self, data: Optional[PathLike] = None, votes: Iterable[PathLike] = (), frame: str = "pandas"):
        self._s = _bamboo.Store(None if data is None else os.fspath(data), _paths(votes))
        self.frame = frame

    @property
    def provenance(self) -> str:
        """Where the numbers come from (the CLI's source line)."""
        return self._s.provenance

    def align(self, countries: Sequence[str], from_: Optional[int] = None, to: Optional[int] = None, by: str = "year"):
        """``bamboo align A B ... --format csv``: the first state's alignment with each other.

        Columns: from, to, a, b, n, agreement, s, s2, kappa, kappa1, pi, coincidence.
        ``by`` is ``"year"``, ``"total"`` or ``"window N"``.
        """
        return _frame(self._s.align(_list(countries), from_, to, by), self.frame)

    def balance(
        self,
        country: str,
        poles: Union[str, Sequence[str]] = ("USA", "CHN", "RUS"),
        from_: Optional[int] = None,
        to: Optional[int] = None,
        by: str = "year",
        metric: str = "agreement",
    ):
        """``bamboo balance ISO3 --format csv``: alignment with each pole, lean, balance.

        Columns: from, to, country, pole, n, alignment, lean, balance, toward.
        """
        return _frame(self._s.balance(country, _list(poles), from_, to, by, metric), self.frame)

    def dyads(self, from_: Optional[int] = None, to: Optional[int] = None, year: Optional[int] = None):
        """``bamboo dyads --format csv``: every pair's measures per year.

        Columns: year, a, b, n, agreement, s, kappa, pi.
        """
        return _frame(self._s.dyads(from_, to, year), self.frame)

    def ideal(
        self,
        states: Union[str, Sequence[str], None] = None,
        from_: Optional[int] = None,
        to: Optional[int] = None,
        bootstrap: int = 30,
        seed: int = 1,
    ):
        """``bamboo ideal --format csv``: dynamic ordinal ideal points per state and session.

        Columns: state, session, year, ideal, se, lo90, hi90, votes.
        """
        return _frame(self._s.ideal(_list(states), from_, to, bootstrap, seed), self.frame)

    def atlas(
        self,
        year: Optional[int] = None,
        from_: Optional[int] = None,
        to: Optional[int] = None,
        poles: Union[str, Sequence[str]] = ("USA", "CHN", "RUS"),
        metric: str = "agreement",
        issue: Optional[str] = None,
        important: bool = False,
        group: Optional[str] = None,
        average: bool = False,
        level: float = 90.0,
        replicates: int = 1000,
        seed: int = 1,
        sort: str = "state",
    ):
        """``bamboo atlas --format csv``: every state of one period against the poles.

        One row per state (``kind`` = ``state``), then the UN median (``median``, state
        ``UN``) and, with ``group`` and ``average``, the group's mean (``group_mean``).
        Columns: from, to, kind, state, roll_calls; per pole P: n_P, P, P_lo, P_hi; lean,
        balance and their intervals; toward, tie, toward_share; rank, rank_lo, rank_hi,
        ranked; median_P, median_lean, lean_vs_median; previous_from, previous_to; change_P
        with its interval and change_lean with its interval. Intervals are bootstrap
        intervals over roll calls at ``level`` percent (``replicates``, ``seed``); with
        ``metric="ideal"``, draws from the ideal-point fit's standard errors.
        The default period is the last year of the data.
        """
        return _frame(
            self._s.atlas(year, from_, to, _list(poles), metric, issue, important, group, average, level, replicates, seed, sort),
            self.frame,
        )

    def __repr__(self) -> str:
        return f"<bamboo.Store {self.provenance}>"


def load(data: Optional[PathLike] = None, votes: Iterable[PathLike] = (), frame: str = "pandas") -> Store:
    """Loads the vote store as the CLI finds it: ``data``, else ``$BAMBOO_DATA``, else the
    defaults; ``votes`` are extra vote files to merge (the CLI's ``--votes``)."""
    return Store(data, votes, frame)


def advise(doctrine: PathLike, cases: PathLike, data: Optional[PathLike] = None, votes: Iterable[PathLike] = (), no_data: bool = False) -> Any:
    """``bamboo advise --doctrine D CASES --json``, parsed: a list of advice objects."""
    text = _bamboo.advise(os.fspath(doctrine), os.fspath(cases), None if data is None else os.fspath(data), _paths(votes), no_data)
    return json.loads(text)


def backtest(doctrine: PathLike, cases: Union[PathLike, Sequence[PathLike]], data: Optional[PathLike] = None, votes: Iterable[PathLike] = (), no_data: bool = False) -> Any:
    """``bamboo backtest --doctrine D CASES... --json``, parsed."""
    files = [cases] if isinstance(cases, (str, os.PathLike)) else list(cases)
    text = _bamboo.backtest(os.fspath(doctrine), _paths(files), None if data is None else os.fspath(data), _paths(votes), no_data)
    return json.loads(text)


@dataclass
class Simulation:
    """A simulation's result: ``json`` is the exact text of ``bamboo simulate --json``,
    ``report`` that text parsed, ``outcomes`` one row per doctrine and outcome
    (doctrine, outcome, mean, p5, p50, p95; ``p_break`` has its value in ``mean``)."""

    json: str
    report: Any
    outcomes: Any


def _doctrines(doctrines: Union[str, Sequence[str], None]) -> Optional[List[str]]:
    if doctrines is None:
        return None
    if isinstance(doctrines, str):
        return [d.strip() for d in doctrines.split(",") if d.strip()]
    return list(doctrines)


def simulate(
    world: PathLike = "default",
    doctrines: Union[str, Sequence[str], None] = None,
    runs: int = 1000,
    years: int = 30,
    seed: int = 1,
    frame: str = "pandas",
) -> Simulation:
    """``bamboo simulate --world W --doctrines A,B --runs N --years Y --seed S --json``."""
    inputs = _bamboo.sim_inputs(os.fspath(world), _doctrines(doctrines))
    text, batch = _bamboo.simulate(inputs, runs, years, seed)
    return Simulation(text, json.loads(text), _frame(batch, frame))


def merge(parts: Sequence[str], frame: str = "pandas") -> Simulation:
    """``bamboo simulate merge``: the report one process gives, from the partial reports'
    JSON texts (``bamboo simulate --shard K/N --json``), in any order."""
    text, batch = _bamboo.merge(list(parts))
    return Simulation(text, json.loads(text), _frame(batch, frame))


class Design:
    """A sweep design: a TOML file (``Design("d.toml")``) or its keys as a dict
    (``Design({"runs": 100, "factorial": {"polarisation": [0.2, 0.8]}})``). See
    docs/sweeps.md for the keys."""

    def __init__(self, design: Union[PathLike, dict, "Design"], out: Optional[PathLike] = None):
        if isinstance(design, Design):
            design = design.source
        self.source = design
        o = None if out is None else os.fspath(out)
        if isinstance(design, dict):
            self._d = _bamboo.Sweep(None, json.dumps(design), o)
        else:
            self._d = _bamboo.Sweep(os.fspath(design), None, o)

    def __len__(self) -> int:
        return len(self._d)

    @property
    def parameters(self) -> List[str]:
        return self._d.parameters

    @property
    def columns(self) -> List[str]:
        """The columns of the sweep's table (``sweep.csv``)."""
        return self._d.columns

    def point(self, number: int) -> List[Tuple[str, float]]:
        """Point ``number`` (from 1): the parameters it sets."""
        return self._d.point(number)


def sweep(design: Union[PathLike, dict, Design], out: PathLike, frame: str = "pandas"):
    """``bamboo sweep DESIGN -o OUT`` in this process: each point written as soon as it is
    done, a rerun resuming; returns the table (``OUT/sweep.csv``) as a frame."""
    d = Design(design, out)
    runs, years, seed = d._d.config
    inputs = d._d.inputs()
    for n in d._d.todo():
        text, row = _bamboo.run_point(inputs, runs, years, seed, n, d._d.point(n))
        d._d.write_point(n, text, row)
    return _read_table(d._d.finish(), frame)


def _read_table(path: PathLike, frame: str):
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(os.fspath(path))
    if frame == "pandas":
        return table.to_pandas()
    if frame == "polars":
        import polars as pl

        return pl.from_arrow(table)
    return table
