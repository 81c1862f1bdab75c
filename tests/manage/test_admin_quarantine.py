"""Administrators see the volume of quarantined uploads that name no known campaign (no manager
sees those), in counts and bytes, never their contents."""

from __future__ import annotations

import json

from cips.models import Role
from tests.helpers import payload

URL = "/api/v1/submissions"


def test_admin_quarantine_shows_unattributed_volume_without_contents(loaded, client_as) -> None:
    api = loaded.test_client()
    secret = "SECRET-ANSWER-TEXT"
    api.post(URL, json=payload(campaign="no-such-campaign", answers={"open_works": secret}))  # 422, unknown campaign
    api.post(URL, data=b"{" + secret.encode(), content_type="application/json")  # 400, not JSON
    big = json.dumps(payload(answers={"open_works": secret * 70_000})).encode()  # over 1 MB: 413, prefix kept
    api.post(URL, data=big, content_type="application/json")
    api.post(URL, json=payload(language="xx", answers={"open_works": secret}))  # names the test campaign: 422
    page = client_as(Role.admin).get("/admin/quarantine")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert secret not in html and "no-such-campaign" not in html
    unattributed = html.split("Naming no known campaign</th>")[1].split("</tr>")[0]
    cells = [c.split("</td>")[0] for c in unattributed.split("<td>")[1:]]
    assert cells[0] == "3" and cells[1].endswith("kB")  # 3 uploads, 64 kB prefix and two small bodies
    attributed = html.split("Naming a campaign</th>")[1].split("</tr>")[0]
    assert attributed.split("<td>")[1].startswith("1<")
    by_status = html.split("by answer")[1]
    for status in ("400", "413", "422"):
        assert f"<td>{status}</td><td>1</td>" in by_status
    # Sizes in the reader's language, with its unit ("65,9 ko" in French, a narrow no-break space before the unit).
    french = client_as(Role.admin).get("/admin/quarantine?lang=fr").get_data(as_text=True)
    row = french.split("<tbody>")[1].split("</tr>")[0]  # the first row: uploads naming no known campaign
    sizes = [c.split("</td>")[0] for c in row.split("<td>")[1:]]
    assert sizes[1].endswith("\u202fko") and "," in sizes[1], sizes
    assert client_as(Role.manager).get("/admin/quarantine").status_code in (403, 404)
