from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.roles import OFFICERS
from core.concurrency import StaleEdit
from maturity import plan_selectors, services
from maturity.models import Action, Indicator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def plan(framework, officer):
    """Five actions across two key areas and two owners, as at 1 June 2026."""
    reporting = Indicator.objects.get(key_area__name="Engaging elected members", name="Reporting")
    other = Indicator.objects.exclude(key_area=reporting.key_area).order_by("pk").first()
    colleague = UserFactory(username="colleague", first_name="Cara", last_name="Colleague")
    colleague.groups.add(Group.objects.get(name=OFFICERS))

    def add(description, indicator, owner, due, status=Action.Status.OPEN):
        return Action.objects.create(
            indicator=indicator, description=description, owner=owner, due_on=due, status=status
        )

    return {
        "reporting": reporting,
        "other": other,
        "colleague": colleague,
        "late_a_little": add("Late a little", reporting, officer, dt.date(2026, 5, 20)),
        "late_a_lot": add(
            "Late a lot", other, colleague, dt.date(2026, 1, 10), Action.Status.IN_PROGRESS
        ),
        "not_due": add("Not due yet", reporting, colleague, dt.date(2026, 9, 1)),
        "done_late": add("Done though late", other, officer, dt.date(2026, 2, 1), "done"),
        "due_today": add("Due today", reporting, None, TODAY),
    }


def test_the_plan_lists_the_most_overdue_first_then_by_due_date_then_done(plan):
    actions = list(plan_selectors.action_plan(as_at=TODAY))

    assert [a.description for a in actions] == [
        "Late a lot",
        "Late a little",
        "Due today",
        "Not due yet",
        "Done though late",
    ]
    assert [a.is_overdue for a in actions] == [True, True, False, False, False]


def test_the_counts_are_open_and_overdue_in_one_query(plan, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = plan_selectors.action_counts(as_at=TODAY)

    assert counts == {"open": 4, "overdue": 2}
    assert plan_selectors.action_counts(as_at=dt.date(2026, 1, 1)) == {"open": 4, "overdue": 0}
    assert plan_selectors.action_counts(as_at=TODAY, indicator_id=plan["reporting"].pk) == {
        "open": 3,
        "overdue": 1,
    }


@pytest.mark.parametrize(
    "filters,expected",
    [
        ({"status": "overdue"}, ["Late a lot", "Late a little"]),
        ({"status": "in_progress"}, ["Late a lot"]),
        ({"status": "done"}, ["Done though late"]),
        ({"owner": "colleague"}, ["Late a lot", "Not due yet"]),
        (
            {"key_area": "reporting", "status": "open"},
            ["Late a little", "Due today", "Not due yet"],
        ),
    ],
)
def test_the_page_filters_by_owner_key_area_and_status(
    member_client, plan, filters, expected, monkeypatch
):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)
    query = dict(filters)
    if "owner" in query:
        query["owner"] = plan["colleague"].pk
    if "key_area" in query:
        query["key_area"] = plan["reporting"].key_area_id

    response = member_client.get(reverse("maturity:action-plan"), query)

    assert response.status_code == 200
    assert [a.description for a in response.context["actions"]] == expected
    assert response.context["counts"] == {"open": 4, "overdue": 2}


def test_a_bad_filter_is_an_error_and_lists_everything(member_client, plan):
    response = member_client.get(reverse("maturity:action-plan"), {"status": "nonsense"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert len(response.context["actions"]) == 5


def test_the_page_takes_a_fixed_number_of_queries(
    member_client, plan, django_assert_max_num_queries
):
    for n in range(20):
        Action.objects.create(
            indicator=plan["other"], description=f"More {n}", due_on=dt.date(2027, 1, n % 28 + 1)
        )
    with django_assert_max_num_queries(6):
        response = member_client.get(reverse("maturity:action-plan"))
    assert len(response.context["actions"]) == 25


def test_the_csv_holds_the_filtered_actions_in_the_same_order(member_client, plan, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)

    response = member_client.get(reverse("maturity:action-plan-csv"), {"status": "overdue"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == plan_views_header()
    assert [(r[3], r[4], r[5], r[6], r[7]) for r in rows[1:]] == [
        ("Late a lot", "Cara Colleague", "2026-01-10", "In progress", "Yes"),
        (
            "Late a little",
            plan["late_a_little"].owner.get_full_name(),
            "2026-05-20",
            "Not started",
            "Yes",
        ),
    ]


def plan_views_header() -> list[str]:
    from maturity.plan_views import CSV_HEADER

    return CSV_HEADER


def test_an_officer_marks_an_action_in_progress_and_its_history_is_kept(officer_client, plan):
    action = plan["not_due"]
    url = reverse("maturity:action-edit", args=[action.pk])
    data = {
        "description": "Not due yet, now started",
        "owner": plan["colleague"].pk,
        "due_on_0": 1,
        "due_on_1": 10,
        "due_on_2": 2026,
        "status": "in_progress",
        "version": 1,
    }

    response = officer_client.post(url, data)

    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.due_on, action.version) == (
        "in_progress",
        dt.date(2026, 10, 1),
        2,
    )
    assert action.history.count() == 2
    assert action.history.first().history_user.username == "officer1"
    assert action.history.last().description == "Not due yet"


def test_an_edit_from_a_stale_form_is_refused_and_changes_nothing(officer_client, plan):
    action = plan["not_due"]
    services.action_complete(action=action, completed_by=plan["colleague"])  # version 2 now
    data = {
        "description": "Overwrite",
        "due_on_0": 1,
        "due_on_1": 10,
        "due_on_2": 2026,
        "status": "open",
        "version": 1,
    }

    response = officer_client.post(reverse("maturity:action-edit", args=[action.pk]), data)

    assert response.status_code == 200
    assert "Someone else changed this action" in response.content.decode()
    action.refresh_from_db()
    assert (action.description, action.status) == ("Not due yet", "done")
    assert response.context["form"].initial["version"] == 2


def test_reopening_a_done_action_clears_its_completion_date(plan, officer):
    action = plan["done_late"]
    action.completed_on = dt.date(2026, 2, 3)
    action.save()

    services.action_update(
        action=action, expected_version=1, changes={"status": "in_progress"}, user=officer
    )
    action.refresh_from_db()
    assert (action.status, action.completed_on) == ("in_progress", None)

    with pytest.raises(StaleEdit):
        services.action_update(
            action=action, expected_version=1, changes={"status": "done"}, user=officer
        )


def test_members_read_the_plan_but_cannot_edit(member_client, plan):
    assert member_client.get(reverse("maturity:action-plan")).status_code == 200
    response = member_client.get(reverse("maturity:action-edit", args=[plan["not_due"].pk]))
    assert response.status_code == 403


def test_the_indicator_page_counts_open_and_overdue_actions_and_offers_edit(
    officer_client, plan, monkeypatch
):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)

    response = officer_client.get(reverse("maturity:indicator-detail", args=[plan["reporting"].pk]))

    body = response.content.decode()
    assert "3 open actions, 1 overdue." in body
    assert reverse("maturity:action-edit", args=[plan["not_due"].pk]) in body


def test_the_indicator_page_shows_each_actions_status_as_the_plan_does(
    officer_client, member_client, plan, monkeypatch
):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)
    indicator = reverse("maturity:indicator-detail", args=[plan["reporting"].pk])

    def status_cells(client, url):
        rows = client.get(url).context["actions"]
        cells = {}
        for action in rows:
            html = render_to_string("maturity/_action_status.html", {"action": action})
            cells[action.pk] = html
        return cells

    on_the_page = status_cells(officer_client, indicator)
    on_the_plan = status_cells(member_client, reverse("maturity:action-plan"))

    assert on_the_page == {pk: on_the_plan[pk] for pk in on_the_page}
    late = on_the_page[plan["late_a_little"].pk]
    assert late.count("<strong") == 1 and "Overdue" in late and "Not started" in late
    body = officer_client.get(indicator).content.decode()
    assert body.count("Mark completed") == 3  # the three open actions: an editor may close them
    assert "Mark completed" not in member_client.get(indicator).content.decode()


def test_the_gap_dashboard_counts_the_open_and_overdue_actions_today(officer_client, plan):
    today = plan_selectors.action_counts(as_at=timezone.localdate())

    response = officer_client.get(reverse("maturity:gap-dashboard"))

    assert today["open"] == 4  # of the five actions, one is done
    assert response.context["action_counts"] == today
    assert (
        f"Today 4 improvement actions are open, {today['overdue']} of them overdue."
        in response.content.decode()
    )
