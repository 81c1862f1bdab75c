"""Administrators: users, administrations and the audit log."""

from cips.admin import routes  # noqa: F401  (its views attach themselves to bp)
from cips.admin.blueprint import bp

__all__ = ["bp"]
