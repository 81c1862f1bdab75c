"""``/admin``: users, administrations, audit log, quarantine volume (admin role only)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from sqlmodel import select
from wtforms.fields.choices import SelectChoice

from cips.admin.blueprint import bp
from cips.auth import role_required
from cips.auth.principal import actor
from cips.choices import options
from cips.extensions import db
from cips.manage.forms import AdministrationForm, UserEditForm, UserForm
from cips.models import Administration, AuditEvent, Role, User, UserCreate
from cips.services import audit, two_factor
from cips.services.messages import localized
from cips.services.quarantine import quarantine_volume
from cips.services.users import UserExists, create_user, update_user

AUDIT_PAGE = 50


def _administration_choices() -> list[SelectChoice]:
    rows = db.session.exec(select(Administration).order_by(Administration.name)).all()
    return options([(0, "—"), *((a.id, a.name) for a in rows)])


@bp.route("/users", methods=["GET", "POST"])
@role_required(Role.admin)
def users():
    form = UserForm()
    form.administration.choices = _administration_choices()
    if form.validate_on_submit():
        try:
            data = UserCreate(email=form.email.data, role=Role(form.role.data), password=form.password.data,
                              administration_id=form.administration.data or None)  # fmt: skip
            user = create_user(db.session, data, actor=actor())
        except (UserExists, ValueError) as exc:
            db.session.rollback()
            flash(localized(exc), "error")
        else:
            flash(_("User %(email)s created.", email=user.email), "ok")
            return redirect(url_for("admin.users"))
    rows = db.session.exec(select(User).order_by(User.email)).all()
    names = dict(db.session.exec(select(Administration.id, Administration.name)).all())
    return render_template("admin/users.html", users=rows, names=names, form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.admin)
def user(user_id: int):
    row = db.session.get(User, user_id)
    if row is None:
        abort(404, _("No such user."))
    form = UserEditForm(obj=row, administration=row.administration_id or 0)
    form.administration.choices = _administration_choices()
    if form.validate_on_submit():
        if row.id == current_user.id and (form.role.data != Role.admin.value or not form.is_active.data):
            flash(_("You cannot remove your own administrator access."), "error")
        else:
            try:
                update_user(db.session, row, role=Role(form.role.data), is_active=form.is_active.data,
                            administration_id=form.administration.data or None, password=form.password.data or None,
                            actor=actor())  # fmt: skip
            except ValueError as exc:
                db.session.rollback()
                flash(localized(exc), "error")
            else:
                flash(_("Saved."), "ok")
                return redirect(url_for("admin.users"))
    return render_template("admin/user.html", user=row, form=form)


@bp.post("/users/<int:user_id>/reset-2fa")
@role_required(Role.admin)
def reset_two_factor(user_id: int):
    """A lost phone: the user's second factor goes, they enrol again at their next sign-in."""
    row = db.session.get(User, user_id)
    if row is None:
        abort(404, _("No such user."))
    if two_factor.remove(db.session, row, actor=actor(), action="auth.2fa_reset"):
        flash(_("Second factor of %(email)s reset: they enrol again at their next sign-in.", email=row.email), "ok")
    return redirect(url_for("admin.user", user_id=row.id))


@bp.route("/administrations", methods=["GET", "POST"])
@role_required(Role.admin)
def administrations():
    form = AdministrationForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        if db.session.exec(select(Administration).where(Administration.name == name)).first():
            flash(_("An administration with this name exists already."), "error")
        else:
            db.session.add(Administration(name=name, country_code=form.country_code.data or None))
            audit.record(db.session, actor(), "administration.create", name)
            db.session.commit()
            return redirect(url_for("admin.administrations"))
    rows = db.session.exec(select(Administration).order_by(Administration.name)).all()
    return render_template("admin/administrations.html", administrations=rows, form=form)


@bp.get("/audit")
@role_required(Role.admin)
def audit_log():
    action = request.args.get("action", "").strip()
    who = request.args.get("actor", "").strip()
    query = select(AuditEvent)
    if action:
        # autoescape: "campaign_" is a prefix, not "campaign" followed by any character (LIKE's _).
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if who:
        # Part of an address is enough ("maria" finds maria.lopez@aduana.example); literal, any case.
        query = query.where(func.lower(AuditEvent.actor).contains(who.lower(), autoescape=True))
    total = db.session.exec(select(func.count()).select_from(query.subquery())).one()
    # Clamped to the pages there are: a huge page number would overflow the database's OFFSET.
    page = min(max(1, request.args.get("page", 1, type=int)), max(1, -(-total // AUDIT_PAGE)))
    rows = db.session.exec(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).offset((page - 1) * AUDIT_PAGE).limit(AUDIT_PAGE)
    ).all()
    actions = db.session.exec(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return render_template("admin/audit.html", events=rows, page=page, pages=max(1, -(-total // AUDIT_PAGE)),
                           total=total, action=action, actor=who, actions=actions)  # fmt: skip


@bp.get("/quarantine")
@role_required(Role.admin)
def quarantine():
    """Volume of refused uploads, above all those naming no known campaign (no manager sees them)."""
    cfg = current_app.config
    volume = quarantine_volume(db.session, per_hour=cfg["QUARANTINE_BYTES_PER_HOUR"],
                               total=cfg["QUARANTINE_MAX_TOTAL_BYTES"])  # fmt: skip
    return render_template("admin/quarantine.html", volume=volume)
