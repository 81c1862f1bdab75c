"""Exports of a campaign's submissions: one row per respondent, in CSV, XLSX and SPSS .sav.

``table`` turns the database's tidy frames into one wide frame per questionnaire and its
codebook; ``formats`` writes them (formula neutralisation, SPSS names and labels). The use
case that checks privacy and records the audit event is ``cips.services.exports``.
"""
