"""Type stubs for the bamboo package."""

import os
from typing import Any, Iterable, List, Optional, Sequence, Tuple, Union

import pandas as pd

PathLike = Union[str, os.PathLike[str]]

class BambooError(ValueError):
    """A bad input, with the CLI's located message (file, line, key)."""

class Store:
    frame: str
    def __init__(self, data: Optional[PathLike] = ..., votes: Iterable[PathLike] = ..., frame: str = ...) -> None: ...
    @property
    def provenance(self) -> str: ...
    def align(self, countries: Sequence[str], from_: Optional[int] = ..., to: Optional[int] = ..., by: str = ...) -> pd.DataFrame: ...
    def balance(
        self,
        country: str,
        poles: Union[str, Sequence[str]] = ...,
        from_: Optional[int] = ...,
        to: Optional[int] = ...,
        by: str = ...,
        metric: str = ...,
    ) -> pd.DataFrame: ...
    def dyads(self, from_: Optional[int] = ..., to: Optional[int] = ..., year: Optional[int] = ...) -> pd.DataFrame: ...
    def ideal(
        self,
        states: Union[str, Sequence[str], None] = ...,
        from_: Optional[int] = ...,
        to: Optional[int] = ...,
        bootstrap: int = ...,
        seed: int = ...,
    ) -> pd.DataFrame: ...
    def atlas(
        self,
        year: Optional[int] = ...,
        from_: Optional[int] = ...,
        to: Optional[int] = ...,
        poles: Union[str, Sequence[str]] = ...,
        metric: str = ...,
        issue: Optional[str] = ...,
        important: bool = ...,
        group: Optional[str] = ...,
        average: bool = ...,
        level: float = ...,
        replicates: int = ...,
        seed: int = ...,
        sort: str = ...,
    ) -> pd.DataFrame: ...

def load(data: Optional[PathLike] = ..., votes: Iterable[PathLike] = ..., frame: str = ...) -> Store: ...
def advise(doctrine: PathLike, cases: PathLike, data: Optional[PathLike] = ..., votes: Iterable[PathLike] = ..., no_data: bool = ...) -> Any: ...
def backtest(
    doctrine: PathLike,
    cases: Union[PathLike, Sequence[PathLike]],
    data: Optional[PathLike] = ...,
    votes: Iterable[PathLike] = ...,
    no_data: bool = ...,
) -> Any: ...

class Simulation:
    json: str
    report: Any
    outcomes: pd.DataFrame

def simulate(
    world: PathLike = ...,
    doctrines: Union[str, Sequence[str], None] = ...,
    runs: int = ...,
    years: int = ...,
    seed: int = ...,
    frame: str = ...,
) -> Simulation: ...
def merge(parts: Sequence[str], frame: str = ...) -> Simulation: ...

class Design:
    source: Union[PathLike, dict]
    def __init__(self, design: Union[PathLike, dict, Design], out: Optional[PathLike] = ...) -> None: ...
    def __len__(self) -> int: ...
    @property
    def parameters(self) -> List[str]: ...
    @property
    def columns(self) -> List[str]: ...
    def point(self, number: int) -> List[Tuple[str, float]]: ...

def sweep(design: Union[PathLike, dict, Design], out: PathLike, frame: str = ...) -> pd.DataFrame: ...
