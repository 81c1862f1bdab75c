"""The write path's own failures (a broken invariant, never bad input: that is a 4xx with field errors),
once, with codes of their own range (E7xx; ``analysis.errors`` holds E1xx-E6xx and the mechanism)."""

from __future__ import annotations

from analysis.errors import WithCodes


class Errors(metaclass=WithCodes):
    E701 = "the engine of this writer is gone"
    E702 = "submissions need a database file; in-memory SQLite is not supported"
    E703 = "the answer table's columns no longer match ANSWER_KEYS"
    E704 = "the group commit left a submission unsettled"
    E705 = "the stored submission with this uuid is gone; retry"
