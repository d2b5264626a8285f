import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from core.links import record_url


@pytest.mark.parametrize(
    ("name", "pk"),
    [
        ("procurement:contract-detail", 1),
        ("procurement:contract-detail", 918273645),
        ("procurement:supplier-detail", 91827364591827),
        ("procurement:variation-create", 42),
    ],
)
def test_record_url_is_the_reversed_address(name, pk):
    assert record_url(name, pk) == reverse(name, args=[pk])


def test_record_url_follows_the_script_prefix():
    set_script_prefix("/council/")
    try:
        assert record_url("procurement:contract-detail", 7) == "/council/procurement/contracts/7/"
    finally:
        clear_script_prefix()
    assert record_url("procurement:contract-detail", 7) == "/procurement/contracts/7/"


def test_record_url_refuses_a_url_without_an_argument_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        record_url("procurement:contract-list", 7)


def test_the_record_url_filter_gives_the_address_a_url_tag_gives():
    template = Template(
        "{% load ui %}{{ pk|record_url:'procurement:supplier-detail' }}|"
        "{% url 'procurement:supplier-detail' pk %}"
    )
    filtered, tagged = template.render(Context({"pk": 12})).split("|")
    assert filtered == tagged
