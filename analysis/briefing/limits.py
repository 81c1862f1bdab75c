"""Limits of one briefing's input, written once: the readers, the web form, the CLI and the README use these.

A briefing is built from a few open questions answered by partner administrations: the
shipped example (5 questions, 67 answers) is 10 kB, a year of every WCO Member's answers a
few hundred kB. The limits sit well above that and well below what would hold a server for
minutes (the classifier and the theme model work per point of every answer).
"""

from __future__ import annotations

#: Largest contributions file (CSV or JSONL), in bytes.
MAX_UPLOAD_BYTES = 1024 * 1024
#: Largest questions file (YAML), in bytes.
MAX_QUESTIONS_BYTES = 64 * 1024
#: Answers in one file (rows or JSON lines with a non-blank answer).
MAX_CONTRIBUTIONS = 2000
#: Distinct questions, in the contributions file or the questions file.
MAX_QUESTIONS = 50
#: Characters in one answer.
MAX_ANSWER_CHARS = 20_000
