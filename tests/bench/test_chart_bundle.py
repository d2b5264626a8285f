"""The chart bundle: the pages load plotly.js with only our trace types, whitenoise serves it
compressed, and `make bench` prints its size beside the full plotly.min.js it replaced."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import plotly
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from bench.run import CHART_BUNDLE, FULL_PLOTLY, chart_bundle_report

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
needs_build = pytest.mark.skipif(
    not CHART_BUNDLE.exists(), reason="static/dist is not built (make assets)"
)


def test_every_chart_page_loads_the_small_bundle_and_none_the_full_plotly():
    """Chart pages include one snippet: charts.js, which fetches the bundle it names when a
    chart comes near the viewport."""
    include = TEMPLATES / "includes" / "chart_scripts.html"
    chart_pages = [p for p in TEMPLATES.rglob("*.html") if include.name in p.read_text()]
    pages = [p for p in TEMPLATES.rglob("*.html") if not p.name.startswith("_")]
    charts = [p for p in pages if "{% plotly_chart" in p.read_text()]

    assert len(chart_pages) >= 6
    assert set(charts) <= set(chart_pages)
    assert "plotly.min.js" not in "".join(p.read_text() for p in TEMPLATES.rglob("*.html"))
    text = include.read_text()
    assert "data-plotly-src=\"{% static 'dist/js/plotly-charts.min.js' %}\"" in text
    assert "{% static 'js/charts.js' %}" in text


def test_the_bench_report_gives_raw_and_gzip_sizes_before_and_after(tmp_path):
    before, after = tmp_path / "full.js", tmp_path / "small.js"
    before.write_bytes(b"a" * 5000)
    after.write_bytes(bytes(range(256)) * 4)

    lines = chart_bundle_report(full=before, bundle=after)

    text = "\n".join(lines)
    assert "5,000 bytes" in text
    assert f"{len(gzip.compress(b'a' * 5000, 9)):,} gzipped" in text
    assert "1,024 bytes" in text
    assert f"{len(gzip.compress(bytes(range(256)) * 4, 9)):,} gzipped" in text
    assert "20% of the full size" in text  # 1,024 / 5,000 raw


def test_the_bench_report_says_when_the_bundle_is_not_built(tmp_path):
    lines = chart_bundle_report(full=FULL_PLOTLY, bundle=tmp_path / "missing.js")

    assert any("not built" in line and "make assets" in line for line in lines)


@needs_build
def test_the_bundle_is_the_plotly_version_the_python_package_writes_for_and_under_a_quarter():
    full_version = re.search(r"plotly\.js v(\S+)", FULL_PLOTLY.read_text()[:200]).group(1)
    head = CHART_BUNDLE.read_text()[:300]

    assert f"plotly.js v{full_version} " in head
    assert CHART_BUNDLE.stat().st_size < FULL_PLOTLY.stat().st_size / 4
    assert FULL_PLOTLY.parent.parent.name == "plotly"
    assert Path(plotly.__file__).parent == FULL_PLOTLY.parent.parent


@needs_build
def test_the_bundle_has_no_eval_so_the_csp_needs_no_unsafe_eval():
    text = CHART_BUNDLE.read_text()

    assert "new Function(" not in text
    assert not re.search(r"[^\w.$]eval\(", text)
    assert "'unsafe-eval'" not in str(settings.CONTENT_SECURITY_POLICY)


@needs_build
def test_collectstatic_in_production_stores_the_bundle_gzipped(tmp_path):
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)

    stored = list((tmp_path / "dist" / "js").glob("plotly-charts.min.*.js.gz"))
    assert len(stored) == 1
    size = stored[0].stat().st_size
    assert size < CHART_BUNDLE.stat().st_size / 2
    assert gzip.decompress(stored[0].read_bytes()) == CHART_BUNDLE.read_bytes()


@needs_build
def test_bench_counts_every_script_of_the_first_chart_page_against_one_megabyte():
    from bench.run import chart_page_js_report

    lines = chart_page_js_report()

    scripts = [line.split()[0] for line in lines[1:-2]]
    assert scripts == [
        "js/js-enabled.js",
        "dist/js/govuk-frontend.min.js",
        "js/init.js",
        "js/charts.js",
        "dist/js/plotly-charts.min.js",
    ]
    packed = sum(int(line.split()[3].replace(",", "")) for line in lines[1:-2])
    assert lines[-2].split()[3] == f"{packed:,}"
    assert lines[-1].endswith("met" if packed <= 1_000_000 else "NOT MET")
