"""The search page in headless Chromium from Debian's packages, driven by Playwright for Python
(``executable_path``: no browser is downloaded): searching, completion as you type, paging, opening a document
with every match marked, a phone-width view, and a screenshot. Marker ``browser``; ``.ci/run`` installs Chromium
and runs them. Without Chromium or Playwright they skip, saying which is missing."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.serving import Server

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("SEARCHKIT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
#: Where the README's screenshot is written when $SEARCHKIT_SCREENSHOT is set (else into the test's folder).
SCREENSHOT = REPO_ROOT / "docs" / "server-page.png"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does it as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(corpus_index_path: Path) -> Iterator[Server]:
    served = Server(corpus_index_path)
    yield served
    assert served.stop(), served.log()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="ru-RU")  # type: ignore[attr-defined]
    errors: list[str] = []
    opened = context.new_page()
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield opened
    context.close()
    assert not errors, errors  # no script error, no violation of the page's content security policy


def test_search_page_and_next(page, server: Server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/")
    page.fill("#q", "встреча Путина и Трампа")
    page.press("#q", "Enter")
    page.wait_for_selector("li.hit")
    assert page.locator("li.hit").count() == 10
    marks = page.locator("li.hit mark").all_inner_texts()
    assert {"встречей", "Путина", "Трампа"} <= set(marks)
    assert "показаны 1–10" in page.inner_text(".summary")
    page.click("a[rel=next]")
    page.wait_for_url("**page=2**")
    assert "показаны 11–" in page.inner_text(".summary")
    assert page.locator("li.hit").count() >= 1


def test_completion_as_you_type(page, server: Server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/")
    page.locator("#q").press_sequentially("Путин и встр", delay=30)
    page.wait_for_selector("#completions option", state="attached", timeout=10_000)
    options = page.eval_on_selector_all("#completions option", "options => options.map(o => o.value)")
    assert "Путин и встреча" in options


def test_opening_a_document_marks_every_match(page, server: Server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/?q=" + "Анкоридж")
    page.click("li.hit >> nth=0 >> a.title")
    page.wait_for_selector("article.document")
    marks = page.locator(".document .text mark").all_inner_texts()
    assert len(marks) >= 2 and {m.lower()[:8] for m in marks} == {"анкоридж"}
    assert f"совпадений: {len(marks)}" in page.inner_text(".document .meta")
    page.click("text=← К результатам")
    page.wait_for_selector("li.hit")


def test_correction_and_homonym_links(page, server: Server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/?q=Genby")
    assert "Показаны результаты для «Путин»" in page.inner_text(".note")
    page.click("text=Искать «Genby» как написано")
    page.wait_for_url("**correct=0**")
    page.goto(server.url + "/?q=стали")
    page.click(".homonym a:has-text('стали:сталь')")
    page.wait_for_url("**%D1%81%D1%82%D0%B0%D0%BB%D1%8C**")
    assert page.input_value("#q") == "стали:сталь"


def test_phone_width_and_screenshot(browser, server: Server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = phone.new_page()
    page.goto(server.url + "/?q=" + "встреча Путина и Трампа")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"
    phone.close()
    desktop = browser.new_context(viewport={"width": 1000, "height": 760})
    page = desktop.new_page()
    page.goto(server.url + "/?q=" + "стали")
    target = SCREENSHOT if os.environ.get("SEARCHKIT_SCREENSHOT") else tmp_path / "server-page.png"
    page.screenshot(path=str(target))
    desktop.close()
    assert target.stat().st_size > 10_000 and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
