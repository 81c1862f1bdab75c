"""Export a campaign's submissions (CSV, XLSX, SPSS .sav): the use case shared by the web and the CLI.

What an export contains: one row per respondent with the submission uuid, questionnaire key
and version, language, submission time (UTC), then every item in questionnaire order
(background and stratum items come first in the shipped forms). Never an IP address or user
agent (none is stored) nor the device id (it would tie respondents to a tablet and a day).

Files, following KoboToolbox's "one export per form": a campaign with several questionnaires
gives an XLSX with one data sheet per questionnaire plus ``codebook``, and for CSV and .sav a
zip with one file per questionnaire (``SLUG_KEY.csv``) plus ``codebook.csv``, named after the
format (``SLUG_csv_DATE.zip``, ``SLUG_sav_DATE.zip``) so that the two never share a name. Choosing one questionnaire
(``instrument=``) gives a plain ``.csv`` or ``.sav`` (the .sav carries its own labels).

A filter without a questionnaire exports the questionnaires that have its items.

Privacy: a questionnaire, or a filter (``where="bg_region=north"``, the quota stratum syntax),
that leaves fewer than :data:`analysis.scores.MIN_CELL` respondents is refused. Every export
and every refusal is recorded in the audit log.

How each record was answered (time and changes per section, the order of randomised sections)
is the ``paradata`` sheet of an XLSX and ``paradata.csv`` / ``paradata.sav`` in a zip
(:mod:`cips.exports.paradata`); a plain single-questionnaire file has no room for it.

Records a manager excluded (``cips.services.exclusions``) are left out; how many, per
category, is the ``excluded`` sheet of an XLSX, ``excluded.csv`` in a zip, and
:attr:`ExportFile.excluded` for the page and the CLI to say.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlmodel import Session, select

from analysis.files import write_private
from analysis.privacy import MIN_CELL
from cips.exports import formats
from cips.exports.paradata import PARADATA_SHEET, orders_of, paradata_frame, paradata_variables, section_rows
from cips.exports.table import (
    LANGUAGES,
    WEIGHT_COLUMN,
    Kind,
    Variable,
    codebook_rows,
    instrument_frame,
    variables_for,
    weight_variable,
)
from cips.instruments.logic import ORDER_PREFIX
from cips.instruments.schema import Instrument as Definition
from cips.instruments.service import definition_of
from cips.models import Answer, Campaign, Instrument, Submission
from cips.services import audit
from cips.services.campaigns import campaign_instruments
from cips.services.coding import answer_codes
from cips.services.datasets import load_campaign_data
from cips.services.exclusions import counted
from cips.services.messages import N_

FORMATS = ("csv", "xlsx", "sav")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "zip": "application/zip",
}


class ExportError(ValueError):
    """An export request that cannot be carried out (unknown campaign, format, filter…)."""


class ExportRefused(ExportError):
    """An export refused by the privacy rule (fewer than MIN_CELL respondents)."""


@dataclass(frozen=True)
class ExportFile:
    """An export ready to send (``data``, ``mimetype``, ``filename``) or to write to a path."""

    data: bytes
    mimetype: str
    filename: str
    #: Respondents exported per questionnaire key.
    rows: dict[str, int] = field(default_factory=dict)
    #: Records left out because a manager excluded them, per category.
    excluded: dict[str, int] = field(default_factory=dict)
    #: Paradata rows (submission x section) of the exported records, and whether the file holds them
    #: (a plain single-questionnaire .csv/.sav has no room: the caller says so).
    paradata_rows: int = 0
    paradata_included: bool = False

    @property
    def extension(self) -> str:
        return Path(self.filename).suffix.lstrip(".")

    def write(self, path: Path | str) -> Path:
        path = Path(path)
        write_private(path, self.data)  # respondent-level answers
        return path


def parse_where(spec: str | None) -> list[tuple[str, str]]:
    """``"bg_region=north,bg_function=clearance"`` -> ``[("bg_region", "north"), ("bg_function", "clearance")]``.

    The syntax of quota strata (``Campaign.quotas``). Empty or None means no filter.
    """
    if spec is None or not spec.strip():
        return []
    pairs: list[tuple[str, str]] = []
    for part in spec.split(","):
        item_id, sep, value = (s.strip() for s in part.partition("="))
        if not sep or not item_id or not value:
            raise ExportError(N_("filter %(spec)s: expected item=value[,item=value], e.g. bg_region=north",
                                 spec=repr(spec)))  # fmt: skip
        if item_id in dict(pairs):
            raise ExportError(N_("filter %(spec)s: %(item)s is given twice", spec=repr(spec), item=item_id))
        pairs.append((item_id, value))
    return pairs


def _check_filter(pairs: list[tuple[str, str]], key: str, variables: list[Variable]) -> None:
    """Filters take single-choice items of every exported questionnaire, and one of their values."""
    singles = {v.name: v for v in variables if v.kind is Kind.single}
    for item_id, value in pairs:
        var = singles.get(item_id)
        if var is None:
            raise ExportError(N_(
                "filter %(item)s=%(value)s: %(item)s is not a single-choice item of questionnaire %(key)s "
                "(filters take one of %(items)s; choose the questionnaire if the item belongs to another one)",
                item=item_id, value=value, key=key, items=", ".join(singles) or N_("none"),
            ))  # fmt: skip
        allowed = [v for v, _ in var.value_labels]
        if value not in allowed:
            raise ExportError(N_("filter %(item)s=%(value)s: %(quoted)s is not a value of %(item)s "
                                 "(expected one of %(allowed)s)", item=item_id, value=value, quoted=repr(value),
                                 allowed=", ".join(allowed)))  # fmt: skip


def _too_few(n: int, key: str, where_text: str, slug: str) -> str:
    """Why an export of fewer than MIN_CELL respondents is refused (one whole sentence per case, to translate)."""
    if where_text:
        text = (N_("Refused: no respondents match %(filter)s (%(key)s); exports need at least %(min)s (privacy rule).")
                if n == 0 else N_("Refused: fewer than %(min)s respondents match %(filter)s (%(key)s); exports need "
                                  "at least %(min)s (privacy rule)."))  # fmt: skip
    else:
        text = (N_("Refused: no respondents answered %(key)s in campaign %(slug)s; exports need at least %(min)s "
                   "(privacy rule).") if n == 0 else
                N_("Refused: fewer than %(min)s respondents answered %(key)s in campaign %(slug)s; exports need at "
                   "least %(min)s (privacy rule)."))  # fmt: skip
    return N_(text, filter=where_text, key=key, slug=slug, min=MIN_CELL)


def _refuse(session: Session, actor: str, campaign: Campaign, message: str, **details: object) -> ExportRefused:
    """Record the refusal (someone probing small cells is worth knowing about) and return the error."""
    audit.record(session, actor, "campaign.export_refused", campaign.slug, reason=message, **details)
    session.commit()
    return ExportRefused(message)


def _resolve(session: Session, campaign: Campaign | str) -> Campaign:
    if not isinstance(campaign, Campaign):
        found = session.exec(select(Campaign).where(Campaign.slug == campaign)).first()
        if found is None:
            raise ExportError(N_("no campaign %(slug)s (see `cips campaign list`)", slug=repr(campaign)))
        campaign = found
    # An encrypted campaign's answers are sealed to a key the server never holds, so only the
    # key holder can export them.
    if campaign.encrypted:
        raise ExportError(N_("campaign %(slug)s is encrypted end to end: the server cannot read its answers; "
                             "the holder of the private key exports them with `cips decrypt`",
                             slug=campaign.slug))  # fmt: skip
    return campaign


def exported_instruments(session: Session, campaign: Campaign | str, instrument: str | None = None) -> list[str]:
    """Questionnaire keys an export of ``campaign`` covers: ``instrument`` if given, else those with answers.

    A questionnaire nobody answered yet has nothing to export and must not block the others.
    Several keys mean a zip for csv and sav (see :func:`extension_for`).
    """
    campaign = _resolve(session, campaign)
    keys = list(dict.fromkeys(row.key for row in campaign_instruments(session, campaign)))
    if instrument is not None:
        if instrument not in keys:
            raise ExportError(N_("campaign %(slug)s has no questionnaire %(instrument)s (it has %(keys)s)",
                                 slug=campaign.slug, instrument=repr(instrument),
                                 keys=", ".join(keys) or N_("none")))  # fmt: skip
        return [instrument]
    answered = set(session.exec(
        select(Instrument.key).join(Submission, Submission.instrument_id == Instrument.id)
        .where(counted(campaign.id)).distinct()
    ).all())  # fmt: skip
    return [key for key in keys if key in answered]


def extension_for(fmt: str, keys: list[str]) -> str:
    """The file type an export will be: xlsx always, csv/sav for one questionnaire, zip for several."""
    return fmt if fmt == "xlsx" or len(keys) <= 1 else "zip"


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def excluded_frame(excluded: dict[str, int]) -> pd.DataFrame:
    """The ``excluded`` sheet: records left out per category (none: no sheet)."""
    return pd.DataFrame({"category": list(excluded), "records_excluded": list(excluded.values())})


def _paradata(session: Session, campaign: Campaign, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The paradata rows of the exported records (those of ``frames``, filter and exclusions applied)."""
    wanted = {uuid for frame in frames.values() for uuid in frame["submission_uuid"]}
    subs = session.execute(
        select(Submission.id, Submission.uuid, Submission.instrument_id, Submission.paradata)
        .where(counted(campaign.id))
    ).all()  # fmt: skip
    subs = [row for row in subs if str(row.uuid) in wanted]
    orders: dict[int, dict[str, str]] = {}
    for submission_id, item_id, text in session.execute(
        select(Answer.submission_id, Answer.item_id, Answer.value_text)
        .join(Submission, Submission.id == Answer.submission_id)
        .where(counted(campaign.id), Answer.item_id.startswith(ORDER_PREFIX))
    ):  # fmt: skip
        orders.setdefault(submission_id, {})[item_id] = text
    instruments = {row.id: row for row in campaign_instruments(session, campaign)}
    for instrument_id in {row.instrument_id for row in subs} - set(instruments):  # a version since removed
        instruments[instrument_id] = session.get(Instrument, instrument_id)
    definitions = {i: definition_of(row) for i, row in instruments.items()}
    return paradata_frame(
        r for row in subs
        for r in section_rows(str(row.uuid), instruments[row.instrument_id].key, definitions[row.instrument_id],
                              row.paradata, orders_of(orders.get(row.id, {})))
    )  # fmt: skip


def _render(fmt: str, campaign: Campaign, frames: dict[str, pd.DataFrame], variables: dict[str, list[Variable]],
            excluded: dict[str, int], paradata: pd.DataFrame, lang: str) -> tuple[bytes, str]:  # fmt: skip
    """The export's bytes and file extension (xlsx, csv, sav, or zip for several questionnaires)."""
    keys = list(frames)
    names = {key: formats.spss_names([v.name for v in variables[key]]) for key in keys}
    codebook = [row for key in keys for row in codebook_rows(key, variables[key], names[key])]
    extras = {"excluded": excluded_frame(excluded)} if excluded else {}
    if fmt == "xlsx":
        sheet_of = formats.sheet_names(keys)
        extras = ({PARADATA_SHEET: paradata} if not paradata.empty else {}) | extras
        return formats.xlsx_bytes({sheet_of[k]: frames[k] for k in keys}, codebook, extras), "xlsx"
    files: dict[str, bytes] = {}
    for key in keys:
        if fmt == "csv":
            files[f"{campaign.slug}_{key}.csv"] = formats.frame_csv(frames[key])
        else:
            label = f"{campaign.name} ({key})"
            files[f"{campaign.slug}_{key}.sav"] = formats.sav_bytes(frames[key], variables[key], names[key],
                                                                    file_label=label)  # fmt: skip
    if len(files) == 1:
        return next(iter(files.values())), fmt
    files["codebook.csv"] = formats.codebook_csv(codebook)
    if not paradata.empty and fmt == "csv":
        files[f"{PARADATA_SHEET}.csv"] = formats.frame_csv(paradata)
    elif not paradata.empty:
        para_vars = paradata_variables(lang)
        files[f"{PARADATA_SHEET}.sav"] = formats.sav_bytes(paradata, para_vars,
                                                         formats.spss_names([v.name for v in para_vars]),
                                                         file_label=f"{campaign.name} ({PARADATA_SHEET})")  # fmt: skip
    files |= {f"{name}.csv": formats.frame_csv(frame) for name, frame in extras.items()}
    return _zip(files), "zip"


def _weights(campaign: Campaign, respondents: pd.DataFrame) -> pd.Series | None:
    """Each respondent's weight to the campaign's population sizes (None: no populations stored).

    Computed over every respondent of the campaign, then filtered with them: a filtered export
    keeps the weights of the whole sample, as survey software expects.
    """
    if not campaign.populations or respondents.empty:
        return None
    from analysis.weights import design_weights

    return design_weights(respondents, campaign.populations)[0]


def build_export(session: Session, campaign: Campaign | str, fmt: str, *, lang: str = "en",
                 instrument: str | None = None, where: str | None = None, actor: str) -> ExportFile:  # fmt: skip
    """Export ``campaign`` (a Campaign or its slug) as ``fmt`` (csv, xlsx or sav).

    ``lang``: language of the codebook and labels (en, fr, es, pt). ``instrument``: one
    questionnaire key, or None for all that have answers. ``where``: ``item=value[,item=value]``
    over single-choice items. ``actor`` is recorded in the audit log (an email, or "cli").

    Raises :class:`ExportError` for a bad request and :class:`ExportRefused` when fewer than
    ``MIN_CELL`` respondents would be exported; both carry a message for the user. Commits the
    audit event.
    """
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ExportError(N_("unknown format %(format)s (expected %(formats)s)", format=repr(fmt),
                             formats=", ".join(FORMATS)))  # fmt: skip
    if lang not in LANGUAGES:
        raise ExportError(N_("unknown language %(lang)s (expected %(languages)s)", lang=repr(lang),
                             languages=", ".join(LANGUAGES)))  # fmt: skip
    campaign = _resolve(session, campaign)
    pairs = parse_where(where)
    where_text = ",".join(f"{k}={v}" for k, v in pairs)
    definitions: dict[str, list[Definition]] = {}
    for row in campaign_instruments(session, campaign):
        definitions.setdefault(row.key, []).append(definition_of(row))
    keys = exported_instruments(session, campaign, instrument)
    details: dict[str, object] = {"format": fmt, "lang": lang, "instrument": instrument, "where": where_text}
    if not keys:
        raise _refuse(session, actor, campaign, N_("Refused: campaign %(slug)s has no submissions yet; exports need "
                      "at least %(min)s respondents (privacy rule).", slug=campaign.slug, min=MIN_CELL),
                      **details)  # fmt: skip
    data = load_campaign_data(session, campaign, lang)

    variables = {key: variables_for(definitions[key], lang) for key in keys}
    if pairs and instrument is None:
        # "All questionnaires" with a filter on background items of one of them: export the
        # questionnaires that have those items (the others cannot be filtered on them).
        wanted = {item for item, _ in pairs}
        having = [key for key in keys if wanted <= {v.name for v in variables[key] if v.kind is Kind.single}]
        keys = having or keys
    for key in keys:  # every bad request is reported before any refusal
        _check_filter(pairs, key, variables[key])
    weights = _weights(campaign, data.respondents)
    codes = answer_codes(session, campaign)
    frames: dict[str, pd.DataFrame] = {}
    for key in keys:
        frame = instrument_frame(data.respondents, data.answers, key, variables[key], codes)
        if weights is not None:
            frame[WEIGHT_COLUMN] = frame["submission_uuid"].map(weights).astype(float).to_numpy()
            variables[key] = [*variables[key], weight_variable(lang)]
        for item_id, value in pairs:
            frame = frame[frame[item_id] == value]
        n = len(frame)
        if n < MIN_CELL:
            # Never the exact count: trying filter after filter would otherwise reveal every small cell.
            raise _refuse(session, actor, campaign, _too_few(n, key, where_text, campaign.slug), **details)
        frames[key] = frame.reset_index(drop=True)

    # A zip says which format it holds: the CSV and the SPSS exports of a campaign with several
    # questionnaires were both "slug_DATE.zip", so the second download replaced the first.
    stem = "_".join([campaign.slug, *([keys[0]] if len(keys) == 1 else []),
                     *([fmt] if extension_for(fmt, keys) == "zip" else []),
                     *([where_text.replace("=", "-").replace(",", "_")] if pairs else []),
                     datetime.now(UTC).strftime("%Y%m%d")])  # fmt: skip
    paradata = _paradata(session, campaign, frames)
    data_bytes, extension = _render(fmt, campaign, frames, variables, data.excluded, paradata, lang)
    rows = {key: len(frames[key]) for key in keys}
    audit.record(session, actor, "campaign.export", campaign.slug, **details, instruments=keys, rows=rows,
                 excluded=data.excluded)  # fmt: skip
    session.commit()
    return ExportFile(data_bytes, MIMETYPES[extension], f"{stem}.{extension}", rows, data.excluded, len(paradata),
                      extension in ("xlsx", "zip") and not paradata.empty)  # fmt: skip
