"""CLI commands, run through app.test_cli_runner()."""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict

from sqlmodel import select
from werkzeug.security import check_password_hash

from cips.models import Answer, AuditEvent, Campaign, Instrument, Submission, User
from cips.services.campaigns import administration_names
from tests.helpers import OFFICIALS_VERSION, PRIVATE_PIN, PRIVATE_VERSION


def test_cli_user_create_prompts_for_password_and_hashes_it(runner, session) -> None:
    result = runner.invoke(args=["user", "create", "Ana@Example.org", "--role", "manager", "--administration", "AR"],
                           input="a long passphrase\na long passphrase\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    user = session.exec(select(User)).one()
    assert user.email == "ana@example.org" and user.role.value == "manager"
    assert user.password_hash != "a long passphrase" and check_password_hash(user.password_hash, "a long passphrase")
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "user.create")).one().actor == "cli"


def test_cli_user_create_says_when_it_creates_an_administration(runner) -> None:
    opts = ["--role", "manager", "--password", "quiet harbour lantern"]
    first = runner.invoke(args=["user", "create", "a@b.org", "--administration", "Demo Customs", *opts])
    assert first.exit_code == 0, first.output
    assert "administration 'Demo Customs' created (existing: none)" in first.output
    same = runner.invoke(args=["user", "create", "b@b.org", "--administration", "Demo Customs", *opts])
    assert same.exit_code == 0, same.output
    assert "administration" not in same.output  # an existing one: nothing to say
    typo = runner.invoke(args=["user", "create", "c@b.org", "--administration", "Demo Custom", *opts])
    assert typo.exit_code == 0, typo.output
    assert "administration 'Demo Custom' created (existing: 'Demo Customs')" in typo.output


def test_cli_user_create_refuses_duplicates_and_short_passwords(runner) -> None:
    ok = runner.invoke(args=["user", "create", "a@b.org", "--role", "admin", "--password", "quiet harbour lantern"])
    assert ok.exit_code == 0
    dup = runner.invoke(args=["user", "create", "a@b.org", "--role", "admin", "--password", "quiet harbour lantern"])
    assert dup.exit_code != 0 and "already exists" in dup.output
    short = runner.invoke(args=["user", "create", "c@b.org", "--role", "admin", "--password", "short"])
    assert short.exit_code != 0 and "password" in short.output
    bad_role = runner.invoke(
        args=["user", "create", "d@b.org", "--role", "boss", "--password", "quiet harbour lantern"]
    )
    assert bad_role.exit_code != 0


def test_cli_campaign_create_and_list_json(loaded, runner) -> None:
    result = runner.invoke(
        args=["campaign", "create", "ar-2026", "--name", "Online pilot", "--administration", "Aduana X",
              "--new-administration", "--mode", "online", "--wave", "2", "--instrument", PRIVATE_PIN,
              "--languages", "es,en", "--opens", "2026-03-01", "--closes", "2026-04-30",
              "--quota", "private_sector:ps_role=broker:50"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    listed = runner.invoke(args=["campaign", "list", "--json"])
    rows = {row["slug"]: row for row in json.loads(listed.output)}
    assert set(rows) == {"test", "ar-2026"}
    pilot = rows["ar-2026"]
    assert pilot["mode"] == "online" and pilot["wave"] == 2 and pilot["languages"] == ["es", "en"]
    assert pilot["instruments"] == [{"key": "private_sector", "version": PRIVATE_VERSION}]
    assert pilot["submissions"] == 0 and pilot["quarantined"] == 0
    assert rows["test"]["instruments"] == [
        {"key": "officials", "version": OFFICIALS_VERSION},
        {"key": "private_sector", "version": PRIVATE_VERSION},
    ]


def test_cli_campaign_create_refuses_an_unknown_administration_unless_asked(loaded, runner, session) -> None:
    """A mistyped administration would make a second one whose managers see none of the first's campaigns."""
    base = ["campaign", "create", "w2", "--name", "Wave 2", "--instrument", "officials"]
    typo = runner.invoke(args=[*base, "--administration", "Test Custom"])
    assert typo.exit_code != 0
    assert "unknown administration 'Test Custom' (existing: 'Test Customs')" in typo.output
    assert "--new-administration" in typo.output
    assert session.exec(select(Campaign).where(Campaign.slug == "w2")).first() is None
    assert administration_names(session) == ["Test Customs"]  # nothing created on the way
    same = runner.invoke(args=[*base, "--administration", "Test Customs"])
    assert same.exit_code == 0, same.output
    assert "administration" not in same.output  # an existing one: nothing to say
    new = runner.invoke(args=[*base[:2], "w3", *base[3:], "--administration", "Aduana X", "--new-administration"])
    assert new.exit_code == 0, new.output
    assert "administration 'Aduana X' created (existing: 'Test Customs')" in new.output
    assert administration_names(session) == ["Aduana X", "Test Customs"]


def test_cli_campaign_create_makes_the_first_administration_of_an_empty_instance(runner) -> None:
    """Nothing to mistype yet: the first campaign of an instance creates its administration, said aloud."""
    assert runner.invoke(args=["instruments", "load"]).exit_code == 0
    result = runner.invoke(args=["campaign", "create", "first", "--name", "First", "--administration", "Aduana X",
                                 "--instrument", "officials"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "administration 'Aduana X' created (existing: none)" in result.output


def test_cli_campaign_create_explains_bad_requests(loaded, runner) -> None:
    base = ["campaign", "create", "x1", "--name", "X", "--administration", "A"]
    cases = {
        ("--instrument", "nope"): "not loaded",
        ("--instrument", "officials", "--quota", "officials:bg_region=mars:10"): "not a choice",
        ("--instrument", "officials", "--quota", "officials:bg_years=lt2:10"): "not a stratum",
        ("--instrument", "officials", "--quota", "garbage"): "INSTRUMENT:ITEM=VALUE",
        ("--instrument", "officials", "--languages", "en,de"): "no de translation",
        ("--instrument", "officials", "--opens", "2026-05-01", "--closes", "2026-04-01"): "open before it closes",
        ("--instrument", "officials", "--opens", "tomorrow"): "ISO date",
    }
    for extra, message in cases.items():
        result = runner.invoke(args=[*base, *extra])
        assert result.exit_code != 0, extra
        assert message in result.output, (extra, result.output)
    dup = runner.invoke(args=["campaign", "create", "test", "--name", "X", "--administration", "A",
                              "--instrument", "officials"])  # fmt: skip
    assert dup.exit_code != 0 and "already exists" in dup.output


def test_cli_demo_builds_a_realistic_campaign(runner, session) -> None:
    assert runner.invoke(args=["instruments", "load"]).exit_code == 0
    result = runner.invoke(args=["demo", "--responses", "120", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "120 respondents added" in result.output
    campaign = session.exec(select(Campaign).where(Campaign.slug == "demo")).one()
    subs = session.exec(select(Submission).where(Submission.campaign_id == campaign.id)).all()
    assert len(subs) == 120
    assert set(Counter(s.language for s in subs)) == {"en", "fr", "es", "pt"}
    keys = {i.id: i.key for i in session.exec(select(Instrument))}
    assert set(Counter(keys[s.instrument_id] for s in subs)) == {"officials", "private_sector"}

    # Same seed again: nothing new; the generator is deterministic.
    again = runner.invoke(args=["demo", "--responses", "120", "--seed", "7"])
    assert "0 respondents added, 120 already there" in again.output

    # Likert patterns differ by factor and by group; open answers exist in every language.
    group_of = {s.id: keys[s.instrument_id] for s in subs}
    lang_of = {s.id: s.language for s in subs}
    by_factor: dict[tuple[str, str], list[float]] = defaultdict(list)
    open_langs = set()
    for answer in session.exec(select(Answer).where(Answer.submission_id.in_(list(group_of)))):
        if answer.item_id.startswith(("hrm_", "auto_")) and answer.value_num is not None:
            by_factor[(group_of[answer.submission_id], answer.item_id.split("_")[0])].append(answer.value_num)
        if answer.item_id.startswith("open_"):
            open_langs.add(lang_of[answer.submission_id])
    assert open_langs == {"en", "fr", "es", "pt"}
    officials_hrm = statistics.mean(by_factor[("officials", "hrm")])
    officials_auto = statistics.mean(by_factor[("officials", "auto")])
    assert officials_auto - officials_hrm > 0.3  # reverse items pull towards 3, the gap remains

    # The previous wave exists for the wave comparison, closed, with its own respondents.
    previous = session.exec(select(Campaign).where(Campaign.slug == "demo-wave1")).one()
    assert previous.wave == 1 and campaign.wave == 2 and previous.status.value == "closed"
    assert previous.administration_id == campaign.administration_id
    n_previous = len(session.exec(select(Submission).where(Submission.campaign_id == previous.id)).all())
    assert n_previous == 120


def test_cli_report_writes_html_with_wave_change(runner, tmp_path) -> None:
    assert runner.invoke(args=["instruments", "load"]).exit_code == 0
    assert runner.invoke(args=["demo", "--responses", "60", "--seed", "2"]).exit_code == 0
    out = tmp_path / "r.html"
    result = runner.invoke(args=["report", "demo", "--lang", "es", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<html lang="es">' in html and "Cambio desde la ola anterior" in html and "Brecha de percepción" in html
    bad = runner.invoke(args=["report", "nope", "--out", str(out)])
    assert bad.exit_code != 0 and "no campaign 'nope'" in bad.output
    wrong = runner.invoke(args=["report", "demo", "--out", str(tmp_path / "r.docx")])
    assert wrong.exit_code != 0 and ".html or .pdf" in wrong.output


def test_cli_demo_if_empty_skips_a_used_database(loaded, runner) -> None:
    result = runner.invoke(args=["demo", "--if-empty", "--responses", "5"])
    assert result.exit_code == 0 and "demo skipped" in result.output


def test_cli_demo_station_opens_with_the_printed_pin(runner, session) -> None:
    """A station without a PIN does not open on tablets: the demo sets one and prints it, every run."""
    from cips.services.station import check_station_pin

    assert runner.invoke(args=["instruments", "load"]).exit_code == 0
    first = runner.invoke(args=["demo", "--responses", "0"])
    assert first.exit_code == 0, first.output
    [line] = [line for line in first.output.splitlines() if line.startswith("Enumerator PIN")]
    pin = line.rsplit(" ", 1)[-1]
    campaign = session.exec(select(Campaign).where(Campaign.slug == "demo")).one()
    session.refresh(campaign)
    assert pin.isdigit() and check_station_pin(campaign, pin)
    again = runner.invoke(args=["demo", "--if-empty"])  # what `make run` prints on later runs
    assert again.exit_code == 0 and line in again.output.splitlines()
    assert runner.invoke(args=["campaign", "set-pin", "demo"], input="4321\n4321\n").exit_code == 0
    changed = runner.invoke(args=["demo", "--if-empty"])
    assert pin not in changed.output and "cips campaign set-pin demo" in changed.output


def test_cli_demo_without_instruments_says_what_to_do(runner) -> None:
    result = runner.invoke(args=["demo", "--responses", "5"])
    assert result.exit_code != 0 and "cips instruments load" in result.output
