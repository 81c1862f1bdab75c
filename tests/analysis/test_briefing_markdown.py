"""The Markdown briefing renders what contributors wrote as text: no HTML, links or images from answers."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from analysis.briefing import Contribution, build_briefing, render_markdown
from analysis.briefing.render_md import md_text

pytestmark = pytest.mark.usefixtures("tfidf_embeddings")

HOSTILE = [
    "Officers take <script>alert('x')</script> gifts from brokers at the border.",
    'Training helps: [see the guide](javascript:alert(1)) and <a href="javascript:alert(2)">this</a>.',
    "Rotation of staff ![pixel](https://tracker.example/p.png?who=1) every two years.",
    "<img src=x onerror=alert(3)> Asset declarations for managers, checked each year.",
    "Audit *every* __office__ `now` & publish ~~results~~ | col | # 1. <https://evil.example>",
]


class _Tags(HTMLParser):
    """Tags and attributes of rendered HTML, and its text as a reader sees it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _rendered(markdown: str) -> _Tags:
    parser = _Tags()
    # CommonMark with raw HTML and links enabled (GitHub, wikis and most editors render it so).
    parser.feed(MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table").render(markdown))
    return parser


@pytest.mark.parametrize("text", [*HOSTILE, "- item", "1. first", "===", "+ plus", "  2) second", "a\n- b\n# c"])
def test_briefing_markdown_text_renders_as_exactly_its_characters(text: str) -> None:
    page = _rendered(f"> \u201c{md_text(text)}\u201d\n")
    assert {tag for tag, _ in page.tags} <= {"blockquote", "p", "br"}, page.tags
    assert "".join(page.text).strip() == f"\u201c{text}\u201d"


def test_briefing_markdown_hostile_contributions_render_as_text(default_model) -> None:
    items = [Contribution("What should change? <b>now</b>", answer, contributor=f"<i>Adm {k}</i>", lang="en",
                          attributable=True) for k, answer in enumerate(HOSTILE)]  # fmt: skip
    briefing = build_briefing(items, lang="en", classifier=default_model, title="Brief <script>x</script>",
                              meeting="[Meeting](javascript:alert(4))")  # fmt: skip
    quoted = [q.text for question in briefing.questions for t in [*question.themes, question.other] if t
              for q in t.quotes]  # fmt: skip
    assert any("<script>" in q or "javascript:" in q or "![pixel]" in q or "<img" in q for q in quoted)
    page = _rendered(render_markdown(briefing))
    # Only the briefing's own markup: headings, paragraphs, emphasis, its list, quotes and rule.
    assert {tag for tag, _ in page.tags} <= {"h1", "h2", "h3", "p", "em", "strong", "ul", "li", "blockquote", "hr",
                                             "br"}, page.tags  # fmt: skip
    assert all(attrs == {} for _, attrs in page.tags), [t for t in page.tags if t[1]]
    text = "".join(page.text)
    for quote in quoted:
        assert quote in text
    assert "Brief <script>x</script>" in text and "[Meeting](javascript:alert(4))" in text
    assert "What should change? <b>now</b>" in text
    contributors = {q.contributor for question in briefing.questions for t in [*question.themes, question.other] if t
                    for q in t.quotes}  # fmt: skip
    assert contributors and all(f"— {name}" in text for name in contributors)
