"""Ethics Sub-Committee briefing: partners' multilingual answers -> a briefing, question by question.

Build a structure (``build_briefing``), then render it (``render_docx``, ``render_markdown``);
the key-messages graphic is drawn by ``key_messages_png`` / ``key_messages_svg``.
"""

from analysis.briefing.build import build_briefing
from analysis.briefing.inputs import BriefingInputError, Contribution, Question, read_contributions, read_questions
from analysis.briefing.model import Briefing, BriefingQuestion, BriefingQuote, BriefingTheme, KeyMessage
from analysis.briefing.render_docx import render_docx
from analysis.briefing.render_md import render_markdown

__all__ = ["Briefing", "BriefingInputError", "BriefingQuestion", "BriefingQuote", "BriefingTheme", "Contribution",
           "KeyMessage", "Question", "build_briefing", "read_contributions", "read_questions", "render_docx",
           "render_markdown"]  # fmt: skip
