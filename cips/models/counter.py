"""Fixed-window counters shared by every worker: see :mod:`cips.counters` for their use.

Rows live only while their window runs (the store deletes finished ones). Keys are
HMACs made with the instance secret (:meth:`cips.counters.CounterStore.key`): never a
client address, an account name or a device id in clear.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, String
from sqlmodel import Field, SQLModel


class CounterWindow(SQLModel, table=True):
    __tablename__ = "counter_window"

    key: str = Field(sa_column=Column(String(96), primary_key=True))
    #: End of the window, in whole seconds since the epoch (UTC): the row is useless after it.
    window_end: int = Field(sa_column=Column(BigInteger, primary_key=True, index=True))
    #: Hits (or bytes, for a budget) counted in the window; never above the limit checked.
    hits: int = Field(sa_column=Column(BigInteger, nullable=False))
