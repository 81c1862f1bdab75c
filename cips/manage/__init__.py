"""Manager side: campaigns, live fieldwork, results, exports, briefings, survey stations."""

from cips.manage import actions, campaigns, dashboard, results, review, stations  # noqa: F401  (views attach to bp)
from cips.manage.blueprint import bp

__all__ = ["bp"]
