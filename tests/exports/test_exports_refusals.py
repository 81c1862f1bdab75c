"""Exports refused or explained: the small-cell rule, filters, bad requests, encrypted campaigns; the audit."""

from __future__ import annotations

import pytest
from sqlmodel import select

from analysis.scores import MIN_CELL
from cips.models import AuditEvent, Campaign
from cips.services.exports import ExportError, ExportRefused, build_export, parse_where
from tests.exports.support import (
    post,
    read_csv,
)

# --------------------------------------------------------------------------- suppression and filters


def test_exports_filter_leaving_fewer_than_five_is_refused(answered, session) -> None:
    with pytest.raises(ExportRefused) as caught:
        build_export(session, "test", "csv", instrument="officials", where="bg_region=north", actor="t@example.org")
    assert str(caught.value) == (f"Refused: fewer than 5 respondents match bg_region=north (officials); "
                                 f"exports need at least {MIN_CELL} (privacy rule).")  # fmt: skip
    ok = build_export(session, "test", "csv", instrument="officials", where="bg_region=south", actor="t@example.org")
    rows = read_csv(ok.data)
    assert ok.rows == {"officials": 5} and len(rows) == 6
    assert {row[rows[0].index("bg_region")] for row in rows[1:]} == {"south"}
    assert "bg_region-south" in ok.filename


def test_exports_whole_questionnaire_under_five_is_refused(loaded, client, session) -> None:
    for _ in range(3):
        post(client)
    with pytest.raises(ExportRefused, match=r"fewer than 5 respondents answered officials in campaign test; .*5"):
        build_export(session, "test", "xlsx", actor="t@example.org")
    with pytest.raises(ExportRefused, match="no respondents answered private_sector"):
        build_export(session, "test", "sav", instrument="private_sector", actor="t@example.org")


def test_exports_campaign_without_submissions_is_refused(loaded, session) -> None:
    with pytest.raises(ExportRefused, match="campaign test has no submissions yet"):
        build_export(session, "test", "csv", actor="t@example.org")
    with pytest.raises(ExportRefused, match="no respondents answered officials"):
        build_export(session, "test", "xlsx", instrument="officials", actor="t@example.org")


def test_exports_filter_on_two_items_and_bad_filters(answered, session) -> None:
    ok = build_export(session, "test", "csv", instrument="officials", where="bg_region=south, bg_function=clearance",
                      actor="t@example.org")  # fmt: skip
    assert ok.rows == {"officials": 5}
    assert parse_where("a=b,c=d") == [("a", "b"), ("c", "d")] and parse_where("") == [] and parse_where(None) == []
    bad = {
        "bg_region": "expected item=value",
        "bg_region=": "expected item=value",
        "bg_region=north,bg_region=south": "given twice",
        "lead_1=4": "lead_1 is not a single-choice item of questionnaire officials",
        "bg_region=atlantis": "'atlantis' is not a value of bg_region",
    }
    for where, message in bad.items():
        with pytest.raises(ExportError, match=message):
            build_export(session, "test", "csv", instrument="officials", where=where, actor="t@example.org")
    # All questionnaires and an item of one only: that questionnaire is exported (the page's
    # "all questionnaires" with a background filter was always refused).
    only = build_export(session, "test", "csv", where="bg_region=south", actor="t@example.org")
    assert only.rows == {"officials": 5} and only.filename.startswith("test_officials_bg_region-south_")
    # An item of none of them is still explained.
    with pytest.raises(ExportError, match="lead_1 is not a single-choice item of questionnaire officials"):
        build_export(session, "test", "csv", where="lead_1=4", actor="t@example.org")


def test_exports_bad_requests_are_explained(answered, session) -> None:
    cases = [
        ({"campaign": "nope"}, "no campaign 'nope'"),
        ({"fmt": "pdf"}, "unknown format 'pdf'"),
        ({"lang": "de"}, "unknown language 'de'"),
        ({"instrument": "x"}, "campaign test has no questionnaire 'x'"),
    ]
    for change, message in cases:
        args = {"campaign": "test", "fmt": "csv", **change}
        with pytest.raises(ExportError, match=message):
            build_export(session, args.pop("campaign"), args.pop("fmt"), actor="t@example.org", **args)


def test_exports_encrypted_campaign_points_to_decrypt(loaded, session) -> None:
    campaign = session.exec(select(Campaign).where(Campaign.slug == "test")).one()
    campaign.encrypted = True
    with pytest.raises(ExportError, match=r"encrypted end to end.*cips decrypt"):
        build_export(session, campaign, "csv", actor="t@example.org")


# --------------------------------------------------------------------------- audit


def test_exports_are_audited_with_actor_format_filter_and_rows(answered, session) -> None:
    build_export(session, "test", "xlsx", instrument="officials", where="bg_region=south", actor="ana@example.org")
    with pytest.raises(ExportRefused):
        build_export(session, "test", "csv", instrument="officials", where="bg_region=north", actor="bob@example.org")
    events = list(session.exec(select(AuditEvent).where(AuditEvent.action.startswith("campaign.export"))
                               .order_by(AuditEvent.id)))  # fmt: skip
    assert [(e.actor, e.action, e.target) for e in events] == [
        ("ana@example.org", "campaign.export", "test"),
        ("bob@example.org", "campaign.export_refused", "test"),
    ]
    assert events[0].details["format"] == "xlsx" and events[0].details["where"] == "bg_region=south"
    assert events[0].details["rows"] == {"officials": 5} and events[0].details["instruments"] == ["officials"]
    assert "fewer than 5 respondents" in events[1].details["reason"]
    assert "3" not in events[1].details["reason"]
