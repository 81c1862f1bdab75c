"""Error messages of the services: English for the CLI, in the interface language on the web.

A service raises ``CampaignError(N_("quota %(key)s: ...", key=key))``. :class:`Message` *is*
the English text (a ``str``), so the CLI, the audit log and ``str(exc)`` keep plain English
whatever the context; it also carries its gettext id and parameters, and the manager and
admin pages show ``localized(exc)``: the same message translated into the request's locale
(catalogues in ``cips/translations``; ``make translations`` extracts ``N_`` from the services).
Translating where the message is shown, never where it is raised, keeps the services free of
any request: the CLI has an application context but no request, hence no locale to ask for.
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal


def _render(text: str, params: dict[str, Any], locale: Any) -> str:
    """``text % params``; whole numbers are grouped the locale's way (1,000,000 / 1 000 000)."""
    if not params:
        return text
    shown = {k: format_decimal(v, locale=locale) if isinstance(v, int) and not isinstance(v, bool) else v
             for k, v in params.items()}  # fmt: skip
    return text % shown


class Message(str):
    """A user-facing message: its English text, plus the msgid and parameters to translate it.

    Parameters are ``%(name)s`` placeholders; pass identifiers (ids, versions) as strings so
    that only real quantities are grouped by thousands. A parameter may itself be a Message
    (``N_("none")``): it is translated with the rest.
    """

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Message:
        message = super().__new__(cls, _render(msgid, params, "en"))
        message.msgid = msgid
        message.params = params
        return message

    def translated(self) -> str:
        """The message in the current request's interface language (English outside a request)."""
        from flask_babel import get_locale, gettext

        params = {k: v.translated() if isinstance(v, Message) else v for k, v in self.params.items()}
        return _render(gettext(self.msgid), params, get_locale() or "en")

    def __reduce__(self) -> tuple[Any, ...]:  # pickling keeps the msgid and parameters
        return (_rebuild, (self.msgid, self.params))


def _rebuild(msgid: str, params: dict[str, Any]) -> Message:
    return Message(msgid, **params)


#: The marker ``pybabel extract`` knows (a default keyword): ``N_("text %(x)s", x=...)``.
N_ = Message


def localized(error: BaseException | str) -> str:
    """What a web page shows for ``error``: a :class:`Message` translated, anything else as it is."""
    message = error.args[0] if isinstance(error, BaseException) and len(error.args) == 1 else error
    if isinstance(message, Message):
        return message.translated()
    return str(error)
