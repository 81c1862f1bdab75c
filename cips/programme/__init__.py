"""The programme's view (observer role): imported aggregates of many administrations, nothing else."""

from cips.programme import routes  # noqa: F401  (its views attach themselves to bp)
from cips.programme.blueprint import bp

__all__ = ["bp"]
