from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.concurrency import StaleEdit
from socialvalue import services
from socialvalue.models import EvidenceFile, ReturnLine, SocialValueReturn
from socialvalue.periods import quarter, year_period
from socialvalue.services import LineInput
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = SocialValueReturn.Status
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def _office(member: str) -> bytes:
    """A minimal Office file. Its members carry a fixed time, so the bytes (and the test ids
    made from them) are the same in every pytest-xdist worker."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (("[Content_Types].xml", "<Types/>"), (member, "<xml/>")):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 4, 1, 0, 0, 0)), text)
    return buffer.getvalue()


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def draft(contract_a, user):
    return services.return_create(contract=contract_a, period=quarter(2024, 1), user=user)


def test_a_new_return_has_a_line_for_each_committed_measure(draft):
    assert draft.status == Status.DRAFT
    assert draft.financial_year == 2024
    assert sorted(draft.lines.values_list("measure__code", "quantity")) == [
        ("WCC-1.4", Decimal("0.00")),
        ("WCC-2.1", Decimal("0.00")),
    ]


def test_a_period_cannot_be_returned_twice_or_overlap(draft, contract_a, user):
    with pytest.raises(ValidationError, match="already a return for Q1 2024/25"):
        services.return_create(contract=contract_a, period=quarter(2024, 1), user=user)
    with pytest.raises(ValidationError, match="already a return"):
        services.return_create(contract=contract_a, period=year_period(2024), user=user)
    assert SocialValueReturn.objects.count() == 1


def test_the_return_moves_through_its_statuses_and_keeps_who_and_when(draft, measures, user):
    officer = UserFactory(username="checker")
    draft = services.return_update(
        social_value_return=draft,
        expected_version=draft.version,
        lines=[LineInput(measure=measures["WCC-1.4"], quantity=Decimal("120"))],
        user=user,
    )
    submitted = services.return_submit(
        social_value_return=draft, expected_version=draft.version, user=user
    )
    verified = services.return_verify(
        social_value_return=submitted, expected_version=submitted.version, user=officer
    )

    assert verified.status == Status.VERIFIED
    assert verified.submitted_by == user
    assert verified.reviewed_by == officer
    history = list(verified.history.order_by("history_date").values_list("status", "history_user"))
    assert history[-2:] == [(Status.SUBMITTED, user.pk), (Status.VERIFIED, officer.pk)]


def test_a_rejection_needs_a_reason_and_the_supplier_can_resubmit(draft, user):
    officer = UserFactory(username="checker")
    submitted = services.return_submit(
        social_value_return=draft, expected_version=draft.version, user=user
    )
    with pytest.raises(ValidationError, match="Enter why the return is rejected"):
        services.return_reject(
            social_value_return=submitted,
            expected_version=submitted.version,
            reason="  ",
            user=officer,
        )

    rejected = services.return_reject(
        social_value_return=submitted,
        expected_version=submitted.version,
        reason="The volunteering hours have no evidence",
        user=officer,
    )
    assert rejected.status == Status.REJECTED
    assert rejected.rejection_reason == "The volunteering hours have no evidence"

    again = services.return_submit(
        social_value_return=rejected, expected_version=rejected.version, user=user
    )
    assert again.status == Status.SUBMITTED
    reasons = list(
        again.history.filter(status=Status.REJECTED).values_list("rejection_reason", flat=True)
    )
    assert reasons == ["The volunteering hours have no evidence"]


def test_a_verified_return_cannot_be_changed_or_verified_again(draft, measures, user):
    submitted = services.return_submit(
        social_value_return=draft, expected_version=draft.version, user=user
    )
    verified = services.return_verify(
        social_value_return=submitted, expected_version=submitted.version, user=user
    )
    with pytest.raises(ValidationError, match="verified, so it cannot be changed"):
        services.return_update(
            social_value_return=verified,
            expected_version=verified.version,
            lines=[LineInput(measure=measures["WCC-1.4"], quantity=Decimal("1"))],
            user=user,
        )
    with pytest.raises(ValidationError, match="cannot be verified"):
        services.return_verify(
            social_value_return=verified, expected_version=verified.version, user=user
        )


def test_a_stale_edit_is_refused(draft, measures, user):
    opened_at = draft.version
    services.return_update(
        social_value_return=draft,
        expected_version=opened_at,
        lines=[LineInput(measure=measures["WCC-1.4"], quantity=Decimal("5"))],
        user=user,
    )

    with pytest.raises(StaleEdit):
        services.return_submit(social_value_return=draft, expected_version=opened_at, user=user)
    assert ReturnLine.objects.get(measure=measures["WCC-1.4"]).quantity == Decimal("5")
    assert SocialValueReturn.objects.get().status == Status.DRAFT


@pytest.mark.parametrize(
    "code,quantity,message",
    [
        (
            "WCC-1.4",
            "-1",
            "WCC-1.4 Hours of volunteering undertaken by staff: "
            "the quantity delivered cannot be negative",
        ),
        (
            "WCC-1.4",
            "100000.01",
            "WCC-1.4 Hours of volunteering undertaken by staff: 100,000.01 hours is more than "
            "one contract could deliver in a quarter (at most 100,000 hours)",
        ),
        (
            "WCC-2.1",
            "10001",
            "WCC-2.1 Local people enrolled in training and apprenticeships: 10,001 is more than",
        ),
        (
            "WCC-4.1",
            "100000000.01",
            "£100,000,000.01 is more than one contract could deliver in a quarter "
            "(at most £100,000,000)",
        ),
    ],
)
def test_a_negative_or_absurd_quantity_is_refused_naming_the_measure(
    draft, measures, user, code, quantity, message
):
    with pytest.raises(ValidationError) as raised:
        services.return_update(
            social_value_return=draft,
            expected_version=draft.version,
            lines=[LineInput(measure=measures[code], quantity=Decimal(quantity))],
            user=user,
        )

    assert message in " ".join(raised.value.messages)
    assert set(ReturnLine.objects.values_list("quantity", flat=True)) == {Decimal("0")}


def test_the_limits_scale_with_an_annual_return(contract_a, measures, user):
    annual = services.return_create(contract=contract_a, period=year_period(2023), user=user)

    updated = services.return_update(
        social_value_return=annual,
        expected_version=annual.version,
        lines=[LineInput(measure=measures["WCC-1.4"], quantity=Decimal("350000"))],
        user=user,
    )

    assert updated.lines.get(measure=measures["WCC-1.4"]).quantity == Decimal("350000")


@pytest.mark.parametrize(
    "name,content",
    [
        ("report.pdf", PDF),
        ("photo.png", PNG),
        ("photo.JPG", JPEG),
        ("hours.csv", b"date,hours\n2024-05-01,12\n"),
        ("report.docx", _office("word/document.xml")),
        ("figures.xlsx", _office("xl/workbook.xml")),
    ],
)
def test_evidence_of_each_allowed_type_is_stored_under_a_random_name(draft, user, name, content):
    upload = SimpleUploadedFile(name, content)

    evidence = services.evidence_attach(social_value_return=draft, upload=upload, user=user)

    assert evidence.original_name == name
    assert evidence.size == len(content)
    assert name.rsplit(".", 1)[0] not in evidence.file.name
    assert evidence.file.name.startswith("evidence/")
    with evidence.file.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("virus.pdf", EXE, "The file is not a PDF"),
        ("virus.exe", EXE, "must be a PDF, Word document"),
        ("virus.docx", b"PK\x03\x04" + b"\x00" * 40, "The file is not a Word document"),
        ("sheet.xlsx", _office("word/document.xml"), "The file is not an Excel workbook"),
        ("image.png", JPEG, "The file is not a PNG image"),
        ("data.csv", EXE, "The file is not a CSV file"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_evidence_that_is_not_what_its_name_says_is_refused(draft, user, name, content, message):
    with pytest.raises(ValidationError, match=message):
        services.evidence_attach(
            social_value_return=draft, upload=SimpleUploadedFile(name, content), user=user
        )
    assert EvidenceFile.objects.count() == 0


def test_evidence_over_ten_megabytes_is_refused(draft, user):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))

    with pytest.raises(ValidationError, match="smaller than 10 MB"):
        services.evidence_attach(social_value_return=draft, upload=big, user=user)


def test_a_commitment_per_measure_is_recorded_once(contract_a, measures, user):
    with pytest.raises(ValidationError, match="already has a commitment for WCC-1.4"):
        services.commitment_save(
            contract=contract_a,
            measure=measures["WCC-1.4"],
            quantity=Decimal("1"),
            due_by=dt.date(2026, 1, 1),
            user=user,
        )
