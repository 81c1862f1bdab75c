"""JSON API used by tablets and the PWA: submissions in, campaign documents out."""

from cips.api import campaigns, routes  # noqa: F401  (their views attach themselves to bp)
from cips.api.blueprint import bp

__all__ = ["bp"]
