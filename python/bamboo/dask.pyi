"""Type stubs for bamboo.dask."""

from typing import Any, Optional, Sequence, Union

import pandas as pd

from . import Design, PathLike, Simulation

def simulate(
    world: PathLike = ...,
    doctrines: Union[str, Sequence[str], None] = ...,
    runs: int = ...,
    years: int = ...,
    seed: int = ...,
    *,
    client: Any,
    shards: Optional[int] = ...,
    progress: bool = ...,
    frame: str = ...,
) -> Simulation: ...
def sweep(
    design: Union[PathLike, dict, Design],
    client: Any,
    out: PathLike,
    *,
    in_flight: Optional[int] = ...,
    progress: bool = ...,
    frame: str = ...,
) -> pd.DataFrame: ...
