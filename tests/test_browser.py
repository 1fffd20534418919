"""The built book, read in a real browser (Debian's headless Chromium driven by Playwright).

Needs the book in _build/html (``make book``) and /usr/bin/chromium
(``apt-get install -y chromium``; never ``playwright install``). The site is
served on 127.0.0.1 only and every request leaving it is blocked and reported.

For every page: no console errors, nothing requested outside the site, math
typeset by the bundled MathJax (no raw ``\\(`` or ``$$`` left), every image
loaded, every internal link (and its #anchor) resolving. Also: a solution
drop-down opens on click, the search page finds "weight decay", every chapter
of _toc.yml was built, and screenshots go to _build/screenshots/.

In CI (CI=true) or with REGCOURSE_REQUIRE_BROWSER=1 a missing book or browser
fails the tests; elsewhere only a missing Chromium skips them, with the reason.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
import urllib.parse
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("REGCOURSE_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
REQUIRED = (
    os.environ.get("CI", "").lower() in ("1", "true", "yes")
    or os.environ.get("REGCOURSE_REQUIRE_BROWSER", "") == "1"
)
MATH_TIMEOUT_MS = 30_000


def _pages():
    if not (BOOK / "index.html").is_file():
        return ["<no book>"]
    return sorted(
        p.relative_to(BOOK).as_posix()
        for p in BOOK.rglob("*.html")
        if "_static" not in p.parts and "_sources" not in p.parts
    )


PAGES = _pages()
CHAPTER_PAGES = [p for p in PAGES if p.startswith("chapters/")]


def _need(condition, message):
    """Fail (in CI or when required) or skip loudly (locally) when `condition` is false."""
    if not condition:
        if REQUIRED:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="session")
def book():
    if not (BOOK / "index.html").is_file():
        pytest.fail(
            f"no built book at {BOOK}: run `make book` "
            f"(jupyter-book build . --all -W -n --keep-going) before the browser tests",
            pytrace=False,
        )
    return BOOK


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(book):
    handler = functools.partial(_Quiet, directory=str(book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    _need(
        Path(CHROMIUM).exists() or shutil.which(CHROMIUM),
        f"BROWSER TESTS NOT RUN: no Chromium at {CHROMIUM} "
        f"(install it with `apt-get install -y chromium`; never `playwright install`)",
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    _need(
        sync_playwright is not None,
        "BROWSER TESTS NOT RUN: the Python package playwright is missing (pip install -r requirements.txt)",
    )
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield b
        b.close()


class Site:
    """Opens pages of the served book, each in a fresh browser context (empty storage, like a
    first-time reader), blocking and recording every request that would leave the site."""

    def __init__(self, browser, base):
        self.browser, self.base, self.outside = browser, base, []

    def _guard(self, route):
        url = route.request.url
        if url.startswith((self.base, "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, path, errors=None, failed=None):
        ctx = self.browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
        ctx.route("**/*", self._guard)
        page = ctx.new_page()
        if errors is not None:
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
        if failed is not None:
            page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
        response = page.goto(self.base + path, wait_until="load")
        page.wait_for_load_state("networkidle")
        page.set_default_timeout(MATH_TIMEOUT_MS)
        page.evaluate(
            "async () => { if (window.MathJax && MathJax.startup && MathJax.startup.promise)"
            " await MathJax.startup.promise; }"
        )
        return page, response


@pytest.fixture(scope="session")
def site(browser, server):
    return Site(browser, server)


# What a page shows once loaded and its math typeset, collected in one visit.
_COLLECT = r"""async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
    if (MathJax.typesetPromise) await MathJax.typesetPromise();
  }
  const maths = [...document.querySelectorAll('span.math, div.math')];
  const main = document.querySelector('main') || document.body;
  const clone = main.cloneNode(true);
  clone.querySelectorAll('pre, code, mjx-container, script, style, .highlight').forEach(e => e.remove());
  return {
    mathjax: !!(window.MathJax && window.MathJax.version),
    math: maths.length,
    typeset: maths.filter(e => e.querySelector('mjx-container')).length,
    untypeset: maths.filter(e => !e.querySelector('mjx-container')).slice(0, 5)
      .map(e => e.textContent.slice(0, 80)),
    errors: [...document.querySelectorAll('mjx-merror')].slice(0, 5)
      .map(e => e.getAttribute('data-mjx-error') || e.textContent),
    text: clone.textContent,
    images: [...document.images]
      .map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0})),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  };
}"""


@pytest.fixture(scope="session")
def visit(site):
    """visit(path) -> dict of what the page showed, loaded once per session."""
    cache = {}

    def _visit(path):
        if path not in cache:
            errors, failed = [], []
            before = len(site.outside)
            page, response = site.open(path, errors, failed)
            info = page.evaluate(_COLLECT)
            info.update(
                status=response.status if response else None,
                console=errors,
                failed=failed,
                outside=site.outside[before:],
                url=page.url,
            )
            cache[path] = info
            page.context.close()
        return cache[path]

    return _visit


@functools.cache
def _ids(path: Path):
    html = path.read_text(encoding="utf-8", errors="replace")
    return set(re.findall(r'\bid="([^"]+)"', html)) | set(re.findall(r'\bname="([^"]+)"', html))


# ---------------------------------------------------------------- every page


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_errors(visit, path):
    info = visit(path)
    assert info["status"] == 200, f"{path}: HTTP {info['status']}"
    assert not info["console"], f"{path}: console errors: {info['console']}"
    assert not info["failed"], f"{path}: failed requests: {info['failed']}"


@pytest.mark.parametrize("path", PAGES)
def test_nothing_requested_outside_the_site(visit, path):
    info = visit(path)
    assert not info["outside"], (
        f"{path} tried to load from outside the site (the book must work "
        f"offline): {sorted(set(info['outside']))}"
    )


@pytest.mark.parametrize("path", PAGES)
def test_math_is_typeset(visit, path, server):
    info = visit(path)
    if info["math"]:
        assert info["mathjax"], f"{path}: has {info['math']} math elements but MathJax did not load"
    assert info["typeset"] == info["math"], (
        f"{path}: {info['math'] - info['typeset']} of {info['math']} math elements not typeset, "
        f"e.g. {info['untypeset']}"
    )
    assert not info["errors"], f"{path}: MathJax errors {info['errors']}"
    raw = [m.group(0) for m in re.finditer(r"\\\(|\\\[|\$\$|\$\\[A-Za-z]+", info["text"])]
    assert not raw, f"{path}: raw TeX left in the visible text: {raw[:5]}"


@pytest.mark.parametrize("path", PAGES)
def test_images_load(visit, path):
    bad = [i["src"] for i in visit(path)["images"] if not i["ok"]]
    assert not bad, f"{path}: images that did not load: {bad}"


@pytest.mark.parametrize("path", PAGES)
def test_internal_links_resolve(visit, path, server, book):
    bad = []
    for href in sorted(set(visit(path)["links"])):
        if not href.startswith(server):
            continue  # the repository, issues, mailto: fine, not fetched
        parts = urllib.parse.urlsplit(href)
        rel = urllib.parse.unquote(parts.path)[1:]
        target = book / rel
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            bad.append(f"{href} (no file {rel})")
        elif (
            parts.fragment
            and target.suffix == ".html"
            and urllib.parse.unquote(parts.fragment) not in _ids(target)
        ):
            bad.append(f"{href} (no #{parts.fragment} in {rel})")
    assert not bad, f"{path}: broken internal links: {bad}"


# ---------------------------------------------------------------- the book as a whole


def _toc_files():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    return re.findall(r"^\s*-?\s*(?:file|root):\s*(\S+)", toc, flags=re.M)


def test_every_toc_entry_was_built(book):
    missing = [f for f in _toc_files() if not (book / (re.sub(r"\.(md|ipynb)$", "", f) + ".html")).is_file()]
    assert not missing, f"_toc.yml entries without a page in {book}: {missing}"


def test_search_finds_weight_decay(site):
    page, _ = site.open("search.html?q=weight+decay")
    page.wait_for_function(
        "() => document.querySelectorAll('#search-results ul.search li').length > 0 "
        "|| /did not match|no results/i.test("
        "(document.querySelector('#search-results') || {}).textContent || '')",
        timeout=MATH_TIMEOUT_MS,
    )
    hits = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.href)")
    page.context.close()
    assert hits, "the search page found nothing for 'weight decay'"
    assert any("/chapters/" in h for h in hits), f"no chapter among the search hits: {hits}"


@pytest.fixture(scope="session")
def chapter_one(site):
    """The first chapter page, opened once for the interactive tests below."""
    assert CHAPTER_PAGES, "no chapter pages were built"
    page, _ = site.open(CHAPTER_PAGES[0])
    yield CHAPTER_PAGES[0], page
    page.context.close()


def test_solution_dropdown_opens_on_click(chapter_one):
    path, page = chapter_one
    assert 'class="solution dropdown' in (BOOK / path).read_text(encoding="utf-8"), (
        f"{path} has no solution drop-down (:::{{solution-start}} ... :class: dropdown)"
    )
    box = page.locator("div.solution.dropdown").first
    body = box.locator(":scope > :not(.admonition-title)").first
    box.scroll_into_view_if_needed()
    assert body.count() == 1, f"{path}: the solution box has no content"
    assert not body.is_visible(), f"{path}: the solution is visible before clicking"
    box.locator("button.toggle-button").first.click()
    body.wait_for(state="visible", timeout=5_000)
    assert body.is_visible() and body.inner_text().strip(), f"{path}: clicking did not reveal it"


def test_screenshot_of_a_chapter(chapter_one, visit):
    """Screenshots of chapter 1 (top, first display equation, first figure) for a person to look at."""
    path, page = chapter_one
    info = visit(path)
    assert info["math"] > 0 and info["typeset"] == info["math"], f"{path}: no typeset math to show"
    SHOTS.mkdir(parents=True, exist_ok=True)
    stem = Path(path).stem
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{stem}-top.png"))
    display = page.locator("div.math mjx-container").first
    if display.count():
        display.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{stem}-math.png"))
    figure = page.locator(".cell_output img").first
    assert figure.count() == 1, f"{path}: no figure among the cell outputs"
    figure.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{stem}-figure.png"))
    assert (SHOTS / f"{stem}-figure.png").stat().st_size > 10_000
