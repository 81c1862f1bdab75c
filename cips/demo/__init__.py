"""Synthetic demo data: a campaign that looks like real fieldwork."""
