"""A template include rendered once per process for each value of what it depends on."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.context import Context
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_rendered: dict[tuple[object, ...], SafeString] = {}
# Far more than the site's page names times the roles: a bound on memory, not a working size.
_MOST = 2000


@register.simple_tag(takes_context=True)
def include_once(context: Context, name: str, *depends_on: object) -> SafeString:
    """`{% include name %}`, kept for the next request with the same `depends_on`: the
    include must read nothing else that varies (the navigation: the page's view name and
    whether the reader is an administrator). Rendering the navigation's dozen `{% url %}` and
    `{% if %}` tags cost a fifth of a cached page's CPU. Not kept in debug, where templates
    change under a running server."""
    key = (name, *depends_on)
    html = _rendered.get(key)
    if html is None:
        assert context.template is not None
        with context.push():
            html = mark_safe(context.template.engine.get_template(name).render(context))
        if not settings.DEBUG:
            if len(_rendered) >= _MOST:
                _rendered.clear()
            _rendered[key] = html
    return html


_urls: dict[tuple[str, str, object], str] = {}


@register.simple_tag
def url_once(name: str) -> str:
    """`{% url name %}` for a URL without arguments, worked out once a process for each script
    prefix and URLconf (the base template's home, sign-out and accessibility links: a
    `reverse` each on every page). Escaped like `{% url %}`'s output."""
    key = (name, get_script_prefix(), get_urlconf())
    url = _urls.get(key)
    if url is None:
        url = _urls[key] = reverse(name)
    return url


@receiver(setting_changed)
def _forget_urls(*, setting: str, **kwargs: object) -> None:
    if setting == "ROOT_URLCONF":
        _urls.clear()
