"""Keyboard-only helpers for the browser journeys: move with Tab, and check at every stop that
the focus can be seen and that it moved forward through the page in document order.

The focus is "visible" when the focused element (or, for GOV.UK checkboxes and radios, whose
input is hidden, the box drawn by its label) shows the GOV.UK focus colour, #fd0, in its
outline, box shadow or background, and its look differs from the unfocused state.
"""

from __future__ import annotations

import re

FOCUS_COLOUR = "rgb(255, 221, 0)"

_FOCUS_STATE = """() => {
    const el = document.activeElement;
    const looks = (node, pseudo) => {
        const s = getComputedStyle(node, pseudo);
        return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor,
                s.color, s.borderColor].join(' | ');
    };
    const target = el.matches('.govuk-checkboxes__input, .govuk-radios__input') && el.labels.length
        ? [el.labels[0], '::before'] : [el, null];
    const focused = looks(...target);
    const name = (el.getAttribute('aria-label')
        || (el.labels && el.labels.length ? el.labels[0].innerText : '')
        || el.innerText || el.value || el.title || '').replace(/\\s+/g, ' ').trim();
    const previous = window.__keyboardPrevious;
    const forward = !previous || previous === el
        || Boolean(previous.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
    window.__keyboardPrevious = el;
    return {tag: el.tagName.toLowerCase(), type: el.type || '', name, focused, forward,
            body: el === document.body};
}"""

_UNFOCUSED_LOOK = """() => {
    const el = document.activeElement;
    const target = el.matches('.govuk-checkboxes__input, .govuk-radios__input') && el.labels.length
        ? [el.labels[0], '::before'] : [el, null];
    el.blur();
    const s = getComputedStyle(...target);
    const look = [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor,
                  s.color, s.borderColor].join(' | ');
    el.focus({focusVisible: true});
    return look;
}"""


def focus_state(page) -> dict:
    """Where the focus is, what it looks like, and whether it moved forward in the page."""
    return page.evaluate(_FOCUS_STATE)


def assert_focus_visible(page, state: dict | None = None) -> None:
    state = state or page.evaluate(_FOCUS_STATE)
    assert FOCUS_COLOUR in state["focused"], f"no focus indicator on {state}"
    assert page.evaluate(_UNFOCUSED_LOOK) != state["focused"], f"focus looks unfocused: {state}"


def tab_to(page, name: str | re.Pattern, *, limit: int = 120, key: str = "Tab") -> list[str]:
    """Press Tab until the focused element's name is `name` (or matches it, for a pattern);
    return the names passed on the way.

    Every stop must show the focus indicator and come after the previous stop in the page.
    """
    pattern = name if isinstance(name, re.Pattern) else re.compile(f"^{re.escape(name)}$")
    stops: list[str] = []
    for _ in range(limit):
        page.keyboard.press(key)
        state = focus_state(page)
        assert not state["body"], f"focus fell back to the page after {stops}"
        assert state["forward"] or key != "Tab", f"focus went backwards to {state} after {stops}"
        assert_focus_visible(page, state)
        stops.append(state["name"])
        if pattern.search(state["name"]):
            return stops
    raise AssertionError(f"{pattern.pattern!r} not reached with {key}; passed {stops}")


def start_from_the_top(page) -> None:
    """Go to the first Tab stop, the skip link, as a keyboard user would: Tab on a page just
    opened, Shift+Tab back up from wherever the focus is (a success banner takes it, say)."""
    if page.evaluate("document.activeElement === document.body"):
        page.keyboard.press("Tab")
    else:
        tab_to(page, "Skip to main content", key="Shift+Tab")
    state = focus_state(page)
    assert state["name"] == "Skip to main content", f"first Tab stop is {state}"
    assert_focus_visible(page, state)
    page.evaluate("window.__keyboardPrevious = document.activeElement")
