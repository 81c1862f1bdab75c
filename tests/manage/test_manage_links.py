"""Links handed out (invitations, the survey address, printed addresses) come from CIPS_BASE_URL, never Host."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask

from cips.config import Config
from cips.models import Role
from tests.helpers import OFFICIALS_PIN

FORGED = {"Host": "evil.example"}
ONLINE = {"slug": "web", "name": "Web", "wave": "1", "mode": "online", "instruments": [OFFICIALS_PIN],
          "languages": ["en"], "quotas": ""}  # fmt: skip


def _invitation_links(client) -> list[str]:
    assert client.post("/manage/campaigns/new", data=ONLINE).status_code == 302
    # The browser's cookie, sent to the forged host too (as a proxy passing any Host would).
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")
    download = client.post("/manage/campaigns/web/invites", data={"count": "2"}, headers=FORGED)
    assert download.status_code == 200
    return [row[0] for row in csv.reader(io.StringIO(download.get_data(as_text=True)))][1:]


def test_links_use_the_configured_base_url_whatever_the_host_header(client_as, loaded: Flask) -> None:
    loaded.config["BASE_URL"] = "https://survey.example.org"
    manager = client_as(Role.manager)
    links = _invitation_links(manager)
    assert len(links) == 2 and all(link.startswith("https://survey.example.org/s/web?t=") for link in links)
    page = manager.get("/manage/campaigns/web", headers=FORGED).get_data(as_text=True)
    assert "https://survey.example.org/s/web" in page and "evil.example" not in page


def test_links_without_base_url_are_relative_never_the_host_header(client_as, loaded: Flask) -> None:
    loaded.config["BASE_URL"] = ""
    manager = client_as(Role.manager)
    links = _invitation_links(manager)
    assert len(links) == 2 and all(link.startswith("/s/web?t=") for link in links)
    assert "evil.example" not in manager.get("/manage/campaigns/web", headers=FORGED).get_data(as_text=True)


def test_links_cli_invite_and_demo_print_the_base_url(loaded: Flask, runner) -> None:
    loaded.config["BASE_URL"] = "https://survey.example.org"
    assert runner.invoke(args=["campaign", "create", "web", "--name", "Web", "--administration", "Test Customs",
                               "--mode", "online", "--instrument", "officials"]).exit_code == 0  # fmt: skip
    printed = runner.invoke(args=["campaign", "invite", "web"]).output.split()
    assert len(printed) == 1 and printed[0].startswith("https://survey.example.org/s/web?t=")
    demo = runner.invoke(args=["demo", "--responses", "0"])
    assert demo.exit_code == 0, demo.output
    assert "https://survey.example.org/login" in demo.output


@pytest.mark.parametrize("bad", ["survey.example.org", "ftp://x.org", "https://", "https://x.org/?a=1"])
def test_links_base_url_must_be_an_http_address(monkeypatch, tmp_path, bad: str) -> None:
    monkeypatch.setenv("CIPS_BASE_URL", bad)
    with pytest.raises(ValueError, match="CIPS_BASE_URL"):
        Config(tmp_path)


def test_links_base_url_loses_its_trailing_slash(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CIPS_BASE_URL", "https://survey.example.org/cips/")
    assert Config(tmp_path).BASE_URL == "https://survey.example.org/cips"
