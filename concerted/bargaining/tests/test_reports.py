"""Filing reports from a phone form, and the aggregates under the rule of 5."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from concerted.bargaining import filing, stats
from concerted.bargaining.models import REPORT_KIND, PressureReport, SurveillanceReport
from concerted.core.sealing import open_sealed

pytestmark = pytest.mark.django_db


def file_report(kit, **fields):
    data = {"tool": "1", "captures": ["cap_keystrokes", "cap_mouse"], "devices": ["dev_work_computer"], **fields}
    return Client().post(reverse("bargaining:report_surveillance", args=[kit.slug]), data)


def test_it_shows_the_report_page_without_scripts(kit):
    response = Client().get(reverse("bargaining:report_surveillance", args=[kit.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" not in html
    assert "Use your personal phone, not a work device or work Wi-Fi." in html
    assert 'type="checkbox"' in html and "Teramind" in html and "Veriato" in html
    assert "AI-tool usage or token counts" in html


def test_it_stores_clear_answers_as_small_values_and_seals_the_rest(kit, private_key):
    response = file_report(
        kit,
        tool="6",
        tool_other="WatchfulEye Pro",
        disclosed="3",
        feeds_evaluations="1",
        trains_ai="1",
        details="It films us through the webcam.",
        captures=["cap_webcam", "cap_ai_usage"],
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/thanks/?sent=report")
    report = SurveillanceReport.objects.get()
    assert report.tool == SurveillanceReport.Tool.OTHER
    assert (report.cap_webcam, report.cap_ai_usage, report.cap_keystrokes) == (True, True, False)
    assert report.dev_work_computer and not report.dev_personal_phone
    assert (report.disclosed, report.feeds_evaluations, report.trains_ai) == (3, 1, 1)
    data = open_sealed(private_key, report.sealed, kind=REPORT_KIND, ids=report.envelope_ids())
    assert data["tool_other"] == "WatchfulEye Pro"
    assert data["details"] == "It films us through the webcam."
    assert data["type"] == "surveillance"


def test_a_sealed_report_cannot_be_moved_to_another_row(kit, private_key):
    file_report(kit)
    file_report(kit)
    first, second = SurveillanceReport.objects.all()[:2]
    from concerted.core.sealing import RevealError

    with pytest.raises(RevealError):
        open_sealed(private_key, first.sealed, kind=REPORT_KIND, ids=second.envelope_ids())


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"tool": ""}, "This field is required"),
        ({"tool": "99"}, "Select a valid choice"),
        ({"tool": "6", "tool_other": ""}, "Give the tool&#x27;s name"),
        ({"captures": ["cap_nonsense"]}, "Select a valid choice"),
        ({"disclosed": "9"}, "Select a valid choice"),
        ({"details": "x" * 2001}, "at most 2000 characters"),
        ({"details": "bad\ufffdbytes"}, "couldn"),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(kit, fields, message):
    response = file_report(kit, **{"tool_other": "KeepMe", **fields})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Nothing you typed was lost" in html
    if "tool_other" not in fields:
        assert "KeepMe" in html
    assert not SurveillanceReport.objects.exists()


def test_it_files_a_metric_pressure_report(kit, private_key):
    response = Client().post(
        reverse("bargaining:report_pressure", args=[kit.slug]),
        {
            "counted": ["cnt_tokens"],
            "uses": ["use_leaderboard", "use_reviews"],
            "responses": ["resp_padding"],
            "pressure": "4",
            "details": "We run agents on nothing.",
        },
    )
    assert response.status_code == 302
    report = PressureReport.objects.get()
    assert report.cnt_tokens and report.use_leaderboard and report.use_reviews and report.resp_padding
    assert not report.cnt_prompts and report.pressure == 4
    data = open_sealed(private_key, report.sealed, kind=REPORT_KIND, ids=report.envelope_ids())
    assert data == {"type": "pressure", "details": "We run agents on nothing.", "day": report.day.isoformat()}


def test_an_empty_pressure_report_is_refused(kit):
    response = Client().post(reverse("bargaining:report_pressure", args=[kit.slug]), {})
    assert response.status_code == 400
    assert "Tick at least one box" in response.content.decode()
    assert not PressureReport.objects.exists()


def test_closed_or_unknown_kits_take_nothing(kit):
    kit.reports_open = False
    kit.save()
    assert file_report(kit).status_code == 404
    assert Client().get(reverse("bargaining:report_pressure", args=[kit.slug])).status_code == 404
    assert Client().get(reverse("bargaining:report_surveillance", args=["nosuchkit"])).status_code == 404
    assert not SurveillanceReport.objects.exists()


def test_wrong_methods_get_405(kit):
    assert Client().put(reverse("bargaining:report_surveillance", args=[kit.slug])).status_code == 405
    assert Client().post(reverse("bargaining:home", args=[kit.slug])).status_code == 405
    assert Client().post(reverse("bargaining:thanks", args=[kit.slug])).status_code == 405


def row(tool=1, **ticks):
    base = {"tool": tool, "disclosed": 0, "feeds_evaluations": 0, "trains_ai": 0}
    return {**base, **ticks}


def seal_nothing():
    return {"type": "surveillance", "tool_other": "", "details": ""}


def test_nothing_is_shown_under_five_reports(kit):
    for _ in range(4):
        filing.file_surveillance(kit, row(), seal_nothing())
    summary = stats.surveillance(kit)
    assert summary.total == 4 and summary.shown_total is None and summary.questions == []
    filing.file_surveillance(kit, row(), seal_nothing())
    assert stats.surveillance(kit).shown_total == 5


def test_small_cells_and_their_complement_are_hidden(kit):
    # 9 reports: Teramind 6, ActivTrak 2, in-house 1. The two small cells (3 people in
    # all) are hidden, and so is the next-smallest shown cell (Teramind), or 9-6 would
    # give them away. Empty cells are hidden like small ones (a shown 0 would show the
    # first report to give that answer).
    for tool, n in ((1, 6), (2, 2), (5, 1)):
        for _ in range(n):
            filing.file_surveillance(kit, row(tool=tool), seal_nothing())
    tool = stats.surveillance(kit).questions[0]
    cells = {c.label: c.count for c in tool.cells}
    assert cells["Teramind"] is None and cells["ActivTrak"] is None
    assert cells["A tracker the company built"] is None
    assert cells["Hubstaff"] is None
    # each hidden figure says its real reason: small (an empty one too), or hidden to
    # protect the small ones
    assert tool.reasons["Teramind"] == "cover"
    assert tool.reasons["ActivTrak"] == tool.reasons["A tracker the company built"] == "small"
    assert tool.reasons["Hubstaff"] == "small"


def test_big_cells_are_shown_with_their_counts(kit):
    # The empty answers are hidden, and with them the smallest shown one (ActivTrak), so
    # "total minus shown" doesn't say that nobody gave them.
    for tool, n in ((1, 7), (2, 5)):
        for _ in range(n):
            filing.file_surveillance(kit, row(tool=tool, disclosed=3), seal_nothing())
    summary = stats.surveillance(kit)
    cells = {c.label: c.count for c in summary.questions[0].cells}
    assert cells["Teramind"] == 7 and cells["ActivTrak"] is None
    assert summary.questions[0].reasons["ActivTrak"] == "cover"
    disclosed = {c.label: c.count for c in summary.questions[3].cells}
    # one answer given by all 12: nothing to cover the empty ones with, so all hidden
    assert disclosed["No"] is None and disclosed["Yes, in writing"] is None


def test_a_box_is_hidden_only_when_few_ticked_it(kit):
    # 12 reports: keystrokes ticked by 10 (shown: reports carry no group, so the 2 who
    # didn't are nobody in particular), mouse by 6, webcam by 3 (hidden: fewer than 5),
    # chat by none (hidden like 1 to 4), urls by all 12.
    for i in range(12):
        filing.file_surveillance(
            kit,
            row(cap_keystrokes=i < 10, cap_mouse=i < 6, cap_webcam=i < 3, cap_urls=True),
            seal_nothing(),
        )
    captures = {c.label: c.count for c in stats.surveillance(kit).questions[1].cells}
    assert captures["Keystrokes"] == 10
    assert captures["Mouse movements and clicks"] == 6
    assert captures["Webcam photos or video"] is None
    assert captures["Chat and email"] is None
    assert captures["Websites and apps used"] == 12


def test_the_dashboard_shows_only_suppressed_aggregates(kit, as_user):
    from concerted.core import releases

    for i in range(6):
        filing.file_surveillance(kit, row(tool=1 if i else 2), {**seal_nothing(), "details": "SecretNote"})
    assert releases.force(kit, name=stats.SURVEILLANCE_RELEASE.name)  # the dashboard shows released figures
    html = as_user("owner").get(reverse("bargaining:dashboard", args=[kit.pk])).content.decode()
    assert "SecretNote" not in html
    assert "6 reports." in html
    assert "fewer than 5" in html and "hidden to protect" in html


def test_without_a_public_key_nothing_is_taken(kit):
    kit.campaign.public_key = ""
    kit.campaign.save()
    response = file_report(kit)
    assert response.status_code == 404
    assert "isn" in response.content.decode()
    assert not SurveillanceReport.objects.exists()
