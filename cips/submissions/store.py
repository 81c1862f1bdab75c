"""Writing a submission that claims an invitation: the ORM session's transaction.

The common case (no invitation) goes through :mod:`cips.submissions.direct`. A
submission with an invitation token must mark the token used in the same transaction
as its rows (a conditional UPDATE), so that two submissions cannot share one link;
online campaigns by link are a small share of the traffic, and this path keeps the
session's transaction for that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from cips.models import Answer, Submission
from cips.submissions.direct import ANSWER_KEYS
from cips.submissions.group_commit import sqlite_writer_queue
from cips.submissions.payload import AnswerRow

_INSERT_SUBMISSION = Submission.__table__.insert()
_INSERT_ANSWERS = Answer.__table__.insert()


def insert_with_claim(
    session: Session, values: dict[str, Any], rows: list[AnswerRow], claim: Callable[[], bool]
) -> bool:
    """Store the submission and its answers, and run ``claim`` in the same transaction.

    Raises IntegrityError on a known uuid. When ``claim`` returns False (another
    submission took the invitation first) everything is rolled back and False returned.
    """
    engine = session.get_bind()
    with sqlite_writer_queue(engine.url.database if engine.dialect.name == "sqlite" else None):
        conn = session.connection()
        submission_id = conn.execute(_INSERT_SUBMISSION, values).inserted_primary_key[0]
        if rows:
            conn.execute(_INSERT_ANSWERS, [dict(zip(ANSWER_KEYS, (submission_id, *row), strict=True)) for row in rows])
        if not claim():
            session.rollback()
            return False
        session.commit()
    return True
