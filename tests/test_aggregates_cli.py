"""cips aggregates: an administration's signed, suppressed aggregates, and the checks a receiver runs."""

from __future__ import annotations

import json
import stat

import pytest
from sqlmodel import select

from analysis.aggregates import NATIONAL, ROW_KEYS
from analysis.numbers import number
from cips.models import Administration, AuditEvent, Campaign


@pytest.fixture
def demo(runner):
    assert runner.invoke(args=["instruments", "load"]).exit_code == 0
    result = runner.invoke(args=["demo", "--responses", "60", "--seed", "3"])
    assert result.exit_code == 0, result.output
    return runner


def _key(runner, session) -> str:
    campaign = session.exec(select(Campaign).where(Campaign.slug == "demo")).one()
    admin = session.get(Administration, campaign.administration_id)
    result = runner.invoke(args=["aggregates", "key", admin.name])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_aggregates_cli_export_is_suppressed_signed_and_verifiable(demo, app, tmp_path, session) -> None:
    out = tmp_path / "agg.json"
    result = demo.invoke(args=["aggregates", "export", "demo", "--level", "bg_region", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    signed = json.loads(out.read_text(encoding="utf-8"))
    rows = signed["document"]["rows"]
    assert {r["stratum"] for r in rows} >= {NATIONAL} and any(r["stratum"].startswith("bg_region=") for r in rows)
    assert all(set(r) == set(ROW_KEYS) and (r["n"] is None or r["n"] >= 5) for r in rows)
    assert "text" not in out.read_text(encoding="utf-8")  # no item wording, no free text
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "aggregates.export")).first() is not None

    key = _key(demo, session)
    ok = demo.invoke(args=["aggregates", "verify", str(out), "--public-key", key])
    assert ok.exit_code == 0 and "signature valid" in ok.output

    tampered = tmp_path / "tampered.json"
    shown = next(r for r in rows if r["index"] is not None)
    shown["index"] = round(shown["index"] + 7.0, 2)
    tampered.write_text(json.dumps(signed), encoding="utf-8")
    bad = demo.invoke(args=["aggregates", "verify", str(tampered), "--public-key", key])
    assert bad.exit_code != 0 and "refused: signature: does not match the content" in bad.output

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from cips.services.signing import public_key_text

    other = public_key_text(Ed25519PrivateKey.generate())
    wrong = demo.invoke(args=["aggregates", "verify", str(out), "--public-key", other])
    assert wrong.exit_code != 0 and "signed by another key" in wrong.output
    garbage = demo.invoke(args=["aggregates", "verify", str(out), "--public-key", "not a key"])
    assert garbage.exit_code != 0 and "public key:" in garbage.output


def test_aggregates_cli_preview_writes_nothing_and_bad_input_is_named(demo, tmp_path, session) -> None:
    preview = demo.invoke(args=["aggregates", "export", "demo", "--preview"])
    assert preview.exit_code == 0 and "factor" in preview.output and NATIONAL in preview.output
    assert not list(tmp_path.glob("*.json"))
    assert "give --out" in demo.invoke(args=["aggregates", "export", "demo"]).output
    missing = demo.invoke(args=["aggregates", "export", "nope", "--out", str(tmp_path / "a.json")])
    assert missing.exit_code != 0 and "no campaign 'nope'" in missing.output
    level = demo.invoke(args=["aggregates", "export", "demo", "--level", "bg_shoe_size", "--preview"])
    assert level.exit_code != 0 and "no stratum item 'bg_shoe_size'" in level.output
    junk = tmp_path / "junk.json"
    junk.write_text("{not json", encoding="utf-8")
    refused = demo.invoke(args=["aggregates", "verify", str(junk), "--public-key", _key(demo, session)])
    assert refused.exit_code != 0 and "format: not a JSON aggregate file" in refused.output


def test_aggregates_cli_key_is_stable_and_private(demo, app, session) -> None:
    from pathlib import Path

    first, second = _key(demo, session), _key(demo, session)
    assert first == second and len(first) == 44
    folder = Path(app.instance_path) / "signing"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    assert demo.invoke(args=["aggregates", "key", "Nobody"]).exit_code != 0


def test_aggregates_manager_previews_what_leaves_and_downloads_the_same_signed_file(demo, app, session,
                                                                                   tmp_path) -> None:  # fmt: skip
    from cips.models import Role, UserCreate
    from cips.services.users import create_user
    from tests.manage.conftest import PASSWORD, sign_in

    campaign = session.exec(select(Campaign).where(Campaign.slug == "demo")).one()
    create_user(session, UserCreate(email="agg@example.org", role=Role.manager, password=PASSWORD,
                                    administration_id=campaign.administration_id), actor="t")  # fmt: skip
    client = app.test_client()
    assert sign_in(client, "agg@example.org").status_code == 302
    page = client.get("/manage/campaigns/demo/aggregates?level=bg_region")
    assert page.status_code == 200 and 'data-testid="aggregate-rows"' in page.text and "<td>North</td>" in page.text
    download = client.get("/manage/campaigns/demo/aggregates.json?level=bg_region")
    signed = json.loads(download.data)
    assert signed["document"]["level"] == "bg_region" and signed["signature"]["key_id"] in page.text
    for row in signed["document"]["rows"]:  # every row previewed is in the file, and nothing else
        if row["n"] is not None:
            index = number(row["index"], None, "en")
            assert f'<td class="num">{row["n"]}</td><td class="num">{index}</td>' in page.text
    # The preview is read by people: figures in the interface's language ("61,25" in French); the file
    # keeps machine numbers.
    french = client.get("/manage/campaigns/demo/aggregates?level=bg_region&lang=fr").text
    shown = [row for row in signed["document"]["rows"] if row["n"] is not None and row["index"] % 1]
    assert shown and all(f'<td class="num">{number(row["index"], None, "fr")}</td>' in french for row in shown)
    assert all("," in number(row["index"], None, "fr") for row in shown)
    # Levels and strata by their names in the interface's language, not their codes ("bg_region", "north").
    options = french[french.index('name="level"') :].split("</select>")[0]
    assert ">bg_region<" not in options and ">national<" in options and "IC à 95" in french
    strata = {row["stratum"] for row in signed["document"]["rows"]} - {"national"}
    assert not any(f"<td>{value}</td>" in french for value in strata), [v for v in strata if f"<td>{v}</td>" in french]
    saved = tmp_path / "downloaded.json"
    saved.write_bytes(download.data)
    ok = demo.invoke(args=["aggregates", "verify", str(saved), "--public-key", _key(demo, session)])
    assert "signature valid" in ok.output, ok.output
    assert client.get("/manage/campaigns/demo/aggregates?level=nonsense").status_code == 200  # falls back to national
