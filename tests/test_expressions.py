"""The expression language: one table of expressions and results, run against the server's
evaluator and the PWA's (node if installed, else headless Chromium)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cips.instruments.expressions import ExpressionError, parse

ROOT = Path(__file__).resolve().parent.parent
TABLE = json.loads((ROOT / "tests" / "data" / "expressions.json").read_text(encoding="utf-8"))
JS_SOURCE = (ROOT / "cips" / "survey" / "static" / "js" / "expr.js").read_text(encoding="utf-8")

#: Runs the table in JavaScript: imports expr.js from a data: URL (no file layout or package.json needed)
#: and returns, per case, the value or the error message.
JS_RUNNER = """
async (source, table) => {
  const expr = await import("data:text/javascript;charset=utf-8," + encodeURIComponent(source));
  const run = (fn) => {
    try { return { value: fn() }; } catch (e) { return { error: e.message, kind: e.constructor.name }; }
  };
  return {
    cases: table.cases.map((c) => run(() => expr.evaluate(c.expr, c.answers, c.current))),
    errors: table.errors.map((c) => run(() => expr.parse(c.expr))),
  };
}
"""


def same(a: Any, b: Any) -> bool:
    """JSON equality where a boolean is never a number (Python's True == 1 is not the language's)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == pytest.approx(b, rel=0, abs=0) or a == b
    return a == b and type(a) is type(b)


@pytest.mark.parametrize("case", TABLE["cases"], ids=[c["expr"][:40] for c in TABLE["cases"]])
def test_python_evaluator(case: dict[str, Any]) -> None:
    result = parse(case["expr"]).evaluate(case["answers"], case["current"])
    assert same(result, case["result"]), f"{case['expr']!r} gave {result!r}, expected {case['result']!r}"


@pytest.mark.parametrize("case", TABLE["errors"], ids=[c["expr"][:40] for c in TABLE["errors"]])
def test_python_parse_errors(case: dict[str, Any]) -> None:
    with pytest.raises(ExpressionError) as raised:
        parse(case["expr"])
    assert str(raised.value) == case["error"]


def _run_js() -> dict[str, Any]:
    node = shutil.which("node")
    if node:
        script = f"const run = {JS_RUNNER};\n" + (
            "let input = ''; process.stdin.on('data', (d) => (input += d));"
            "process.stdin.on('end', async () => { const {source, table} = JSON.parse(input);"
            " process.stdout.write(JSON.stringify(await run(source, table))); });"
        )
        done = subprocess.run(
            [node, "--input-type=module", "-e", script],
            input=json.dumps({"source": JS_SOURCE, "table": TABLE}),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return json.loads(done.stdout)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        if os.environ.get("CI"):
            pytest.fail("neither node nor Chromium is installed: the PWA's evaluator cannot be checked")
        pytest.skip("neither node nor Chromium is installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        try:
            page = browser.new_page()
            return page.evaluate(f"([source, table]) => ({JS_RUNNER})(source, table)", [JS_SOURCE, TABLE])
        finally:
            browser.close()


@pytest.fixture(scope="module")
def js_results() -> dict[str, Any]:
    return _run_js()


def test_js_evaluator_agrees_with_the_table(js_results: dict[str, Any]) -> None:
    wrong = [
        (case["expr"], got, case["result"])
        for case, got in zip(TABLE["cases"], js_results["cases"], strict=True)
        if "error" in got or not same(got.get("value"), case["result"])
    ]
    assert wrong == []


def test_js_parse_errors_agree_with_the_table(js_results: dict[str, Any]) -> None:
    wrong = [
        (case["expr"], got, case["error"])
        for case, got in zip(TABLE["errors"], js_results["errors"], strict=True)
        if got.get("kind") != "ExpressionError" or got.get("error") != case["error"]
    ]
    assert wrong == []


def test_names_and_current_value_are_collected() -> None:
    parsed = parse("selected(bg_channels, 'other') and . != null and mean(a, b) > 2")
    assert parsed.names == {"bg_channels", "a", "b"}
    assert parsed.uses_self
    assert not parse("x == 1").uses_self
