"""Errors from the services in the interface language (``cips.services.messages``); the CLI keeps English."""

from __future__ import annotations

import html
import pickle

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from cips.models import Administration, Role, UserCreate
from cips.services.campaigns import CampaignError
from cips.services.messages import N_, localized
from cips.services.users import create_user
from tests.helpers import OFFICIALS_PIN, PRIVATE_PIN, officials_answers, payload
from tests.manage.conftest import PASSWORD, sign_in

FR = {"Accept-Language": "fr"}
FORM = {"slug": "x1", "name": "X", "wave": "1", "mode": "station", "instruments": [OFFICIALS_PIN],
        "languages": ["en"], "quotas": ""}  # fmt: skip
EDIT = {"slug": "test", "name": "Test survey", "wave": "1", "mode": "online", "quotas": "",
        "instruments": [OFFICIALS_PIN, PRIVATE_PIN], "languages": ["en", "fr", "es", "pt"]}  # fmt: skip


def _submit(app: Flask, n: int, region: str = "north") -> None:
    device = app.test_client()
    for _ in range(n):
        answers = dict(officials_answers(), bg_region=region)
        assert device.post("/api/v1/submissions", json=payload(answers=answers)).status_code == 201


def _text(client: FlaskClient, url: str, data: dict, headers: dict[str, str] = FR) -> str:
    return html.unescape(client.post(url, data=data, headers=headers).get_data(as_text=True))


def test_messages_campaign_form_errors_are_in_french(client_as) -> None:
    client = client_as(Role.manager)
    page = _text(client, "/manage/campaigns/new", dict(FORM, quotas="officials: bg_region=north = 3"))
    # The service's quota check, with the number grouped the French way (narrow no-break spaces).
    expected = "officials:bg_region=north : la cible doit être un nombre entier compris entre 5 et 1\u202f000\u202f000"
    assert expected in page
    assert "target must be" not in page
    page = _text(client, "/manage/campaigns/new", dict(FORM, quotas="this is not a quota"))
    assert "ligne 1 : format attendu 'instrument: item=value[,item=value] = target [/ population]'" in page
    page = _text(client, "/manage/campaigns/new", dict(FORM, invite_only="y"))
    assert "la réservation aux personnes invitées vaut pour les campagnes en ligne" in page


def test_messages_mode_change_after_submissions_is_refused_in_french(client_as, loaded: Flask) -> None:
    _submit(loaded, 1)
    page = _text(client_as(Role.manager), "/manage/campaigns/test/edit", EDIT)
    assert "le mode ne peut plus être modifié une fois que des réponses sont enregistrées" in page
    assert "the mode cannot change" not in page


def test_messages_export_refusal_is_in_spanish(client_as, loaded: Flask) -> None:
    _submit(loaded, 6, "north")
    _submit(loaded, 2, "south")
    data = {"format": "csv", "lang": "en", "instrument": "officials", "where": "bg_region=south"}
    response = client_as(Role.manager).post("/manage/campaigns/test/export", data=data,
                                            headers={"Accept-Language": "es"})  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Rechazado: menos de 5 encuestados cumplen bg_region=south (officials)" in page
    assert "Refused" not in page


def test_messages_manager_without_administration_gets_a_french_403(loaded: Flask, accounts, session) -> None:
    # An account made before managers had to belong to an administration.
    admin_id = session.exec(select(Administration.id)).first()
    user = create_user(session, UserCreate(email="lost@example.org", role=Role.manager, password=PASSWORD,
                                           administration_id=admin_id), actor="test")  # fmt: skip
    user.administration_id = None
    session.add(user)
    session.commit()
    client = loaded.test_client()
    assert sign_in(client, "lost@example.org").status_code == 302
    response = client.get("/manage/campaigns/new", headers=FR)
    assert response.status_code == 403
    assert "Votre compte n'est rattaché à aucune administration" in html.unescape(response.get_data(as_text=True))


def test_messages_existing_user_is_refused_in_portuguese(client_as) -> None:
    client = client_as(Role.admin)
    page = _text(client, "/admin/users", {"email": "manager@example.org", "role": "manager", "administration": "0",
                                          "password": "another long password"},
                 headers={"Accept-Language": "pt-BR"})  # fmt: skip
    assert "já existe um utilizador com o e-mail manager@example.org" in page


def test_messages_cli_keeps_english(loaded: Flask, runner) -> None:
    result = runner.invoke(args=["campaign", "create", "x2", "--name", "X", "--administration", "A",
                                 "--instrument", "officials", "--quota", "officials:bg_region=north:3"])  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "target must be a whole number of at least 5 and at most 1,000,000" in result.output


def test_messages_message_is_english_text_and_translates_in_a_request(app: Flask) -> None:
    error = CampaignError(N_("quota %(key)s: %(item)s appears more than once", key="officials", item="'x'"))
    assert str(error) == "quota officials: 'x' appears more than once"  # CLI, audit log, outside a request
    assert localized(error) == str(error)
    copy = pickle.loads(pickle.dumps(error.args[0]))
    assert (copy, copy.msgid) == (error.args[0], error.args[0].msgid)
    with app.test_request_context("/", headers=FR):
        assert localized(CampaignError(N_("the mode cannot change once submissions are stored"))) == (
            "le mode ne peut plus être modifié une fois que des réponses sont enregistrées"
        )
        assert localized(ValueError("plain")) == "plain"
