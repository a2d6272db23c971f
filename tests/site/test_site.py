"""Every page of the built site, in Chromium, with every request off the site blocked.

Each page loads with no console error and no failed request, typesets its math, gives every image
alt text and renders its widgets; each explorable (liqlib.figures.explore) answers its sliders' keys
with the frame precomputed for the new slider positions. Pages and explorables are discovered from
_build/html (see conftest.py and sitepages.py), not listed here.
"""

from __future__ import annotations

import hashlib

import pytest
from sitebrowser import Session, unavailable
from sitepages import Explorable, read_page


def _listing(items: list[str]) -> str:
    return "\n  ".join(["", *items])


def test_page_names_no_off_site_resource(page):
    """Read without a browser: also catches what a browser would not report as a request
    (<link rel="preconnect">, a script that happens not to run)."""
    if page is None:
        unavailable("no built site: run `make book`")
    off_site = read_page(page).off_site
    assert not off_site, f"{page} loads from other hosts:{_listing(list(off_site))}"


def test_page_loads_without_console_errors(visit, page):
    v = visit(page)
    errors = [*v.load_errors, *v.console_errors, *v.page_errors]
    assert not errors, f"{page}:{_listing(errors)}"


def test_page_requests_only_its_own_site(visit, page):
    v = visit(page)
    failed = [*v.failed_requests, *(f"off-site (blocked): {u}" for u in v.off_site_requests)]
    assert not failed, f"{page}:{_listing(failed)}"


@pytest.mark.pages(lambda p: p.math > 0)
def test_math_is_typeset(visit, page):
    dom = visit(page).dom
    assert dom["math"] == read_page(page).math, "math elements of the built HTML are missing"
    assert not dom["math_untypeset"], f"math left as TeX:{_listing(dom['math_untypeset'])}"
    assert dom["mjx_containers"] >= dom["math"]
    assert not dom["tex_errors"], f"TeX errors:{_listing(dom['tex_errors'])}"


def test_images_have_alt_text(visit, page):
    dom = visit(page).dom
    assert not dom["images_without_alt"], f"<img> without alt:{_listing(dom['images_without_alt'])}"
    assert not dom["broken_images"], f"images that did not load:{_listing(dom['broken_images'])}"
    # Every frame of every widget, shown or not: the embedded state holds them all.
    frames = read_page(page).frame_alts
    missing = sum(1 for alt in frames if not alt.strip())
    assert not missing, f"{missing} of the {len(frames)} widget frames have no alt text"


@pytest.mark.pages(lambda p: p.widget_views > 0)
def test_widgets_render(visit, page):
    v = visit(page)
    assert v.dom["widget_subareas"] == read_page(page).widget_views
    assert not v.dom["loading_placeholders"], "a widget still says 'Loading widget...'"


# ----------------------------------------------------------------------------------------------
# Explorables: focus each slider, press a key, and the figure must become the frame that the
# widget state holds for the new slider positions.

SHOWN = """area => Array.from(area.querySelectorAll('img'))
  .filter(img => img.getClientRects().length > 0)
  .map(img => [img.getAttribute('alt') || '', img.getAttribute('src') || ''])"""


def _short(frame: tuple[str, str] | list[str]) -> tuple[str, str]:
    alt, src = frame
    return alt, f"src sha1 {hashlib.sha1(src.encode()).hexdigest()[:12]} ({len(src)} chars)"


def test_explorable_follows_the_keyboard(session: Session, explorable: Explorable | None):
    if explorable is None:
        unavailable("no explorable found on any page of the built site")
    page = session.open(explorable.page)
    # Mark the explorable's output area: html-manager inserts it just before the view script.
    marked = page.evaluate(
        """id => {
          for (const s of document.querySelectorAll(
              'script[type="application/vnd.jupyter.widget-view+json"]')) {
            if (JSON.parse(s.textContent).model_id === id) {
              s.previousElementSibling.setAttribute('data-test-explorable', id);
              return true;
            }
          }
          return false;
        }""",
        explorable.model_id,
    )
    assert marked, f"no output area for widget {explorable.model_id}"
    area = page.locator(f'[data-test-explorable="{explorable.model_id}"]')
    sliders = area.locator(".widget-slider")
    assert sliders.count() == len(explorable.sliders)

    indices = list(explorable.initial)
    shown = area.evaluate(SHOWN)
    assert len(shown) == 1, f"{len(shown)} figures shown at once"
    assert _short(shown[0]) == _short(explorable.frame(tuple(indices))), "wrong initial frame"

    for k, options in enumerate(explorable.options):
        slider = sliders.nth(k)
        assert slider.locator(".widget-readout").inner_text() == options[indices[k]]
        before = area.evaluate(SHOWN)
        # ArrowRight, unless the slider starts at its last value.
        key, step = ("ArrowRight", 1) if indices[k] < len(options) - 1 else ("ArrowLeft", -1)
        slider.locator(".noUi-handle").focus()
        page.keyboard.press(key)
        indices[k] += step
        expected = explorable.frame(tuple(indices))
        try:
            page.wait_for_function(
                f"""([area, alt]) => ({SHOWN})(area).some(([a]) => a === alt)""",
                arg=[area.element_handle(), expected[0]],
                timeout=5_000,
            )
        except Exception:  # playwright's TimeoutError; the asserts below say what is shown
            pass
        after = area.evaluate(SHOWN)
        assert slider.locator(".widget-readout").inner_text() == options[indices[k]], (
            f"slider {k + 1} did not move to {options[indices[k]]!r} on {key}"
        )
        assert len(after) == 1, f"{len(after)} figures shown at once"
        assert _short(after[0]) != _short(before[0]), f"{key} on slider {k + 1}: figure unchanged"
        assert _short(after[0]) == _short(expected), f"{key} on slider {k + 1}: wrong frame"

    problems = session.record.problems
    assert not problems, f"while moving the sliders:{_listing(problems)}"
