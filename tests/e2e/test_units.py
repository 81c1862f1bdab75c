"""Sizes on the device panel and the station menu, in the respondent's language (real Chromium)."""

from __future__ import annotations


def test_units_storage_sizes_are_written_in_the_page_language(live, context) -> None:
    slug = live.campaign("station")
    page = context.new_page()
    page.goto(f"{live.url}/s/{slug}")
    sizes = page.evaluate(
        """async () => {
            const { bytes } = await import("/s/_static/js/ui.js");
            return [bytes(358 * 1024, "fr"), bytes(10 * 1024 ** 3, "fr"), bytes(358 * 1024, "en"), bytes(NaN, "en")];
        }"""
    )
    french_kb, french_gb, english_kb, unknown = sizes
    assert "ko" in french_kb and "KB" not in french_kb  # not "358 KB utilisés"
    assert "Go" in french_gb and "10" in french_gb
    assert "kB" in english_kb and unknown == "?"
