"""The review workbook in the browser: download it, upload it filled in, see the diff, then import.

The uploaded file waits in the instance folder (mode 600: it holds answers' text) between the
preview and the import, named by a random token that only the preview page carries.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from analysis.files import private_dir, write_private
from cips.auth import role_required
from cips.auth.principal import actor, campaign_for
from cips.extensions import db
from cips.manage.blueprint import bp
from cips.manage.forms import ReviewApplyForm, ReviewWorkbookForm
from cips.models import Role
from cips.services.messages import localized
from cips.services.review_files import ReviewImportError, apply_import, export_workbook, preview_import

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pending(campaign_id: int, token: str) -> Path:
    folder = private_dir(Path(current_app.instance_path) / "review_imports")
    return folder / f"{campaign_id}-{token}.xlsx"


@bp.get("/campaigns/<slug>/review/workbook.xlsx")
@role_required(Role.manager)
def review_workbook(slug: str):
    campaign = campaign_for(slug)
    try:
        data = export_workbook(db.session, campaign, str(get_locale()), actor=actor())
    except ReviewImportError as exc:
        db.session.rollback()
        flash(localized(exc), "error")
        return redirect(url_for("manage.campaign", slug=slug))
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{slug}-review.xlsx"',
                                                  "Cache-Control": "no-store"})  # fmt: skip


@bp.post("/campaigns/<slug>/review/workbook")
@role_required(Role.manager)
def review_workbook_preview(slug: str):
    campaign = campaign_for(slug)
    form = ReviewWorkbookForm()
    if not form.validate_on_submit():
        flash("; ".join(str(e) for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for("manage.campaign", slug=slug))
    data = form.workbook.data.read()
    try:
        preview = preview_import(db.session, campaign, data)
    except ReviewImportError as exc:
        flash(localized(exc), "error")
        return redirect(url_for("manage.campaign", slug=slug))
    apply_form = None
    if preview.diff.ok and preview.diff.changes:
        token = secrets.token_urlsafe(18)
        write_private(_pending(campaign.id, token), data)
        apply_form = ReviewApplyForm(token=token)
    status = 200 if preview.diff.ok else 422
    return render_template("manage/review_import.html", campaign=campaign, preview=preview, form=apply_form), status


@bp.post("/campaigns/<slug>/review/workbook/apply")
@role_required(Role.manager)
def review_workbook_apply(slug: str):
    campaign = campaign_for(slug)
    form = ReviewApplyForm()
    if not form.validate_on_submit():
        abort(400, _("This import is no longer available: upload the workbook again."))
    path = _pending(campaign.id, form.token.data)
    if not path.exists():
        abort(404, _("This import is no longer available: upload the workbook again."))
    try:
        stored = apply_import(db.session, campaign, path.read_bytes(), actor=actor())
    except ReviewImportError as exc:  # the codes changed since the preview
        db.session.rollback()
        flash(localized(exc), "error")
        return redirect(url_for("manage.campaign", slug=slug))
    finally:
        path.unlink(missing_ok=True)
    flash(_("%(n)s decisions imported from the workbook.", n=stored), "ok")
    return redirect(url_for("manage.campaign", slug=slug), 303)
