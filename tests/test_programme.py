"""The programme instance: registered keys, verified imports, and an observer's comparison."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import select

from cips.models import AggregateImport, Role, UserCreate
from cips.services.users import create_user
from tests.manage.conftest import PASSWORD, sign_in


def _two_waves(runner, tmp_path) -> tuple[str, list]:
    """The demo's two waves exported as one administration would send them."""
    assert runner.invoke(args=["instruments", "load"]).exit_code == 0
    assert runner.invoke(args=["demo", "--responses", "60", "--seed", "4"]).exit_code == 0
    files = []
    for slug in ("demo-wave1", "demo"):
        out = tmp_path / f"{slug}.json"
        result = runner.invoke(args=["aggregates", "export", slug, "--out", str(out)])
        assert result.exit_code == 0, result.output
        files.append(out)
    admin_name = json.loads(files[0].read_text())["document"]["administration"]
    key = runner.invoke(args=["aggregates", "key", admin_name]).output.strip()
    return key, files


def test_programme_import_checks_key_signature_small_cells_and_duplicates(runner, tmp_path, session) -> None:
    key, (wave1, wave2) = _two_waves(runner, tmp_path)
    unknown = runner.invoke(args=["aggregates", "import", str(wave1)])
    assert unknown.exit_code != 0 and "signed by a key no administration registered here" in unknown.output

    registered = runner.invoke(args=["aggregates", "register", "Demoland", "--public-key", key])
    assert "as Administration 01" in registered.output
    again = runner.invoke(args=["aggregates", "register", "Other", "--public-key", key])
    assert again.exit_code != 0 and "already registered" in again.output

    signed = json.loads(wave2.read_text())
    signed["document"]["rows"][0]["index"] = 99.9
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(signed))
    small = json.loads(wave2.read_text())
    small["document"]["rows"][0]["n"] = 2
    leaked = tmp_path / "small.json"
    leaked.write_text(json.dumps(small))

    result = runner.invoke(args=["aggregates", "import", str(wave1), str(tampered), str(leaked), str(wave2)])
    assert result.exit_code != 0 and "2 of 4 file(s) refused" in result.output
    assert f"{tampered}: refused: signature: does not match the content" in result.output
    assert f"{leaked}: refused: rows[0]: n=2 breaks the small-cell rule" in result.output
    assert len(session.exec(select(AggregateImport)).all()) == 2

    duplicate = runner.invoke(args=["aggregates", "import", str(wave2)])
    assert duplicate.exit_code != 0 and "duplicate: this file was already imported" in duplicate.output


@pytest.fixture
def observer(app, session):
    create_user(session, UserCreate(email="observer@example.org", role=Role.observer, password=PASSWORD), actor="t")
    client = app.test_client()
    assert sign_in(client, "observer@example.org").status_code == 302
    return client


def test_programme_observer_sees_anonymised_comparison_with_change(runner, tmp_path, observer) -> None:
    key, files = _two_waves(runner, tmp_path)
    runner.invoke(args=["aggregates", "register", "Demoland", "--public-key", key])
    assert runner.invoke(args=["aggregates", "import", *map(str, files)]).exit_code == 0
    page = observer.get("/programme/?highlight=Administration 01")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Administration 01" in html and "Demoland" not in html
    assert 'src="/programme/chart-officials.svg?highlight=Administration+01"' in html and "officials" in html
    assert "(+" in html or "(-" in html  # change since the previous wave, beside each index
    assert 'data-testid="across-waves"' in html and "Median, wave 1" in html and "Median, wave 2" in html
    french = observer.get("/programme/?lang=fr").get_data(as_text=True)
    # Indices and changes in the reader's format: "(+3,4)" in French, "(+3.4)" in English.
    assert re.search(r"<small>\([+-]\d+,\d\)</small>", french) and not re.search(r"\([+-]\d+\.\d\)", french)
    assert re.search(r"<small>\([+-]\d+\.\d\)</small>", html)
    chart = observer.get("/programme/chart-officials.svg?highlight=Administration 01")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml" and b"<svg" in chart.data
    # matplotlib's inline styles must be allowed, else the browser draws the chart black
    assert "style-src 'unsafe-inline'" in chart.headers["Content-Security-Policy"]
    assert "script-src" not in chart.headers["Content-Security-Policy"]
    download = observer.get("/programme/chart-officials.svg?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert observer.get("/programme/chart-nothing.svg").status_code == 404
    assert observer.get("/manage/").status_code == 403
    assert observer.get("/admin/users").status_code == 403


def _administration_instance(tmp_path, name: str, seed: int):
    """Another administration's own CIPS: its own database and instance folder (its own signing key)."""
    from cips import create_app
    from tests.conftest import FORMS_DIR

    folder = tmp_path / name
    folder.mkdir()
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{folder / 'cips.sqlite3'}", "SECRET_KEY": name,
                      "FORMS_DIR": str(FORMS_DIR), "DEMO_ACCOUNTS_FILE": str(folder / "accounts.txt")})  # fmt: skip
    app.instance_path = str(folder)
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["instruments", "load"], ["demo", "--responses", "40", "--seed", str(seed)]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    return app, runner


def test_programme_two_administrations_end_to_end(runner, tmp_path, observer) -> None:
    """Two administrations, each on its own instance, export; the programme imports both."""
    sent = []
    for name, seed in (("alpha", 11), ("beta", 12)):
        app, admin_runner = _administration_instance(tmp_path, name, seed)
        out = tmp_path / f"{name}.json"
        assert admin_runner.invoke(args=["aggregates", "export", "demo", "--out", str(out)]).exit_code == 0
        sender = json.loads(out.read_text())["document"]["administration"]
        key = admin_runner.invoke(args=["aggregates", "key", sender]).output.strip()
        sent.append((name, key, out))
        app.extensions["cips_engine"].dispose()
    assert sent[0][1] != sent[1][1]  # each instance signs with its own key
    for name, key, _ in sent:
        assert runner.invoke(args=["aggregates", "register", f"Customs {name}", "--public-key", key,
                                   *(["--named"] if name == "beta" else [])]).exit_code == 0  # fmt: skip
    # alpha's file signed by alpha but claimed under beta's key id: refused by the signature check
    forged = json.loads(sent[0][2].read_text())
    forged["signature"]["key_id"] = json.loads(sent[1][2].read_text())["signature"]["key_id"]
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    refused = runner.invoke(args=["aggregates", "import", str(tmp_path / "forged.json")])
    assert "refused: signature: does not match the content" in refused.output
    assert runner.invoke(args=["aggregates", "import", *(str(out) for _, _, out in sent)]).exit_code == 0
    html = observer.get("/programme/").get_data(as_text=True)
    assert "Administration 01" in html and "Customs beta" in html  # beta opted in to be named
    assert "Customs alpha" not in html


def test_programme_distribution_hides_small_groups_and_places_an_administration(runner, tmp_path) -> None:
    """The programme sends back quartiles only; an administration draws where it stands."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from analysis.aggregates import SCHEMA, SCHEMA_VERSION, canonical_bytes
    from cips.services import signing

    key, (wave1, _) = _two_waves(runner, tmp_path)
    own = json.loads(wave1.read_text())["document"]
    files = []
    for i in range(5):  # five more administrations with officials' hrm only: private_sector stays with one
        other = Ed25519PrivateKey.generate()
        assert runner.invoke(args=["aggregates", "register", f"Other {i}", "--public-key",
                                   signing.public_key_text(other)]).exit_code == 0  # fmt: skip
        row = {"questionnaire": "officials", "stratum": "national", "factor": "hrm", "n": 50, "index": 40.0 + 5 * i,
               "ci_low": 35.0, "ci_high": 60.0, "effective_n": 50.0}  # fmt: skip
        doc = {**{k: own[k] for k in ("generated", "level")}, "schema": SCHEMA, "schema_version": SCHEMA_VERSION,
               "administration": f"Other {i}", "campaign": "c", "wave": 1, "rows": [row]}  # fmt: skip
        path = tmp_path / f"other{i}.json"
        path.write_text(json.dumps({"document": doc, "signature": signing.sign(other, canonical_bytes(doc))}))
        files.append(str(path))
    runner.invoke(args=["aggregates", "register", "Demoland", "--public-key", key])
    assert runner.invoke(args=["aggregates", "import", str(wave1), *files]).exit_code == 0
    dist = tmp_path / "dist.json"
    assert runner.invoke(args=["aggregates", "distribution", "--out", str(dist)]).exit_code == 0
    rows = {(r["questionnaire"], r["factor"]): r for r in json.loads(dist.read_text())["rows"]}
    assert rows[("officials", "hrm")]["administrations"] == 6 and rows[("officials", "hrm")]["min"] <= 40.0
    assert rows[("officials", "automation")]["administrations"] is None  # one administration: not shown
    assert all(set(r) <= {"questionnaire", "factor", "administrations", "min", "q1", "median", "q3", "max"}
               for r in rows.values())  # fmt: skip

    charts = tmp_path / "charts"
    result = runner.invoke(args=["aggregates", "standing", "demo-wave1", "--distribution", str(dist),
                                 "--out", str(charts)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "officials hrm" in result.output and "the middle half" in result.output
    assert "<svg" in (charts / "standing-officials.svg").read_text()
    assert "private_sector: the programme shows no factor" in result.output
    junk = tmp_path / "junk.json"
    junk.write_text('{"schema": "other"}')
    bad = runner.invoke(args=["aggregates", "standing", "demo", "--distribution", str(junk), "--out", str(charts)])
    assert bad.exit_code != 0 and "refused: schema" in bad.output
