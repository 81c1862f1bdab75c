"""Manager side: campaigns, live fieldwork, results, exports, briefings, survey stations."""

from cips.manage import (  # noqa: F401  (views attach to bp)
    actions,
    aggregates,
    briefing_review,
    campaigns,
    coding_review,
    dashboard,
    results,
    review,
    review_workbook,
    stations,
)
from cips.manage.blueprint import bp

__all__ = ["bp"]
