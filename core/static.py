"""Static file URLs worked out once a process in production.

`{% static %}` asks the manifest storage for each file's hashed URL on every page (a manifest
look-up, two `urljoin` and a `quote`): a dozen of them in the base template cost about a tenth
of a cached page's CPU. The manifest is read once, when the storage is made, so a URL cannot
change while the process runs: each name's URL is kept after its first use.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """Whitenoise's compressed manifest storage, each name's URL kept once it is worked out
    (a missing file still raises, and is not kept)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if force or name is None:
            return str(super().url(name, force))
        url = self._urls.get(name)
        if url is None:
            url = self._urls[name] = str(super().url(name))
        return url
