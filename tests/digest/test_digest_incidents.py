"""The digest's incidents: the brand's early-warning incidents active on the day, read back from the store."""

from __future__ import annotations

from datetime import datetime

from alerts.digest import build_digest
from alerts.early_warning.job import EarlyWarningJob
from listener.config import EarlyWarningConfig
from listener.domain import Alert
from listener.store import IncidentChange, IncidentRecord
from tests.digest.digest_support import DAY, at, make_settings, read_page


def save_incident(store, filler, title: str, first: datetime, last: datetime, size: int, *,
                  brand: str = "Lumora", sources: dict[str, int] | None = None, alerted_step: int = 0,
                  spike_alert_key: bool = False) -> int:
    """Store an incident (with one member complaint) through the store's API; returns its id."""
    member = filler.mention(first, brand=brand, complaint=0.9, text=title)

    def alerts(incident_id: int) -> list[Alert]:
        if not spike_alert_key:
            return []
        return [Alert(key=f"incident:{incident_id}:step:1:file", channel="file", brand=brand, rule="early-warning",
                      severity="high", title=f"{brand}: spike", reasons=("test",), mention_id=member,
                      created_at=last)]

    record = IncidentRecord(None, brand, title, first, last, size, sources or {"x": size}, alerted_step)
    ids, _ = store.save_incidents([IncidentChange(record, [member], alerts)], {})
    return ids[0]


def test_incidents_section_lists_exactly_the_days_incidents_largest_first(tmp_path, store, filler, clock):
    small = save_incident(store, filler, "factura / cobro", at(9), at(9.5), 4, sources={"x": 3, "reddit": 1})
    big = save_incident(store, filler, "app / login", at(20), at(21), 12, alerted_step=2)
    from_yesterday = save_incident(store, filler, "wifi / lento", at(-1), at(0.5), 6, spike_alert_key=True)
    save_incident(store, filler, "ayer", at(-5), at(-4), 30)  # over before the day began
    save_incident(store, filler, "mañana", at(24.5), at(25), 30)  # begins after the day
    save_incident(store, filler, "competitor", at(10), at(11), 30, brand="Vireo Net")
    settings = make_settings(tmp_path)

    digest = build_digest(store, settings, day=DAY, clock=clock)
    page = read_page(digest.html)

    assert page.rows["incidents"] == [str(big), str(from_yesterday), str(small)]
    assert page.number("", "incidents") == 3
    assert page.figures[("incidents", str(big), "size")] == "12"
    assert page.figures[("incidents", str(big), "spike-alert")] == "yes"
    assert page.figures[("incidents", str(from_yesterday), "spike-alert")] == "yes"  # alerted: its alerts' keys
    assert page.figures[("incidents", str(small), "spike-alert")] == "no"
    assert page.figures[("incidents", str(small), "sources")] == "x 3, reddit 1"
    # Madrid time; a start on the day before carries its date.
    assert page.figures[("incidents", str(big), "seen")] == "20:00–21:00"
    assert page.figures[("incidents", str(from_yesterday), "seen")] == "Wed 18 23:00–00:30"
    assert "- app / login: 12 complaints, 20:00–21:00, x 12; spike alert" in digest.text
    assert "- factura / cobro: 4 complaints, 09:00–09:30, x 3, reddit 1\n" in digest.text
    assert "Incidents: 3; the largest: “app / login” (12 complaints)." in digest.summary


def test_incident_count_is_compared_with_the_daily_average_of_the_week_before(tmp_path, store, filler, clock):
    for day_offset in range(-7, 0):  # one a day before, and one more two days before
        save_incident(store, filler, f"día {day_offset}", at(12, day_offset), at(13, day_offset), 5)
    save_incident(store, filler, "otra", at(15, -2), at(16, -2), 5)
    save_incident(store, filler, "hoy", at(12), at(13), 5)
    digest = build_digest(store, make_settings(tmp_path), day=DAY, clock=clock)
    assert "INCIDENTS: 1 (avg 1.1;" in digest.text  # 8 / 7


def test_incidents_are_bounded_by_top_n(tmp_path, store, filler, clock):
    for size in range(5, 10):
        save_incident(store, filler, f"tema {size}", at(size), at(size + 0.5), size)
    digest = build_digest(store, make_settings(tmp_path, top_n=2), day=DAY, clock=clock)
    assert [line.split(":")[0] for line in digest.text.splitlines() if line.startswith("- tema")] == \
        ["- tema 9", "- tema 8"]
    assert "INCIDENTS: 5 (avg —; grouped by the early warning, which counts a complaint from 50%), the 2 largest" in digest.text


def test_a_hostile_incident_title_is_escaped(tmp_path, store, filler, clock):
    hostile = '<script>alert(1)</script> <img src=x onerror="alert(2)">'
    incident_id = save_incident(store, filler, hostile, at(10), at(11), 7)
    digest = build_digest(store, make_settings(tmp_path), day=DAY, clock=clock)
    for html in (digest.html, digest.email_html):
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert read_page(digest.html).figures[("incidents", str(incident_id), "title")] == hostile


def test_a_day_without_incidents_says_so(tmp_path, store, filler, clock):
    filler.mention(at(10), complaint=0.9)
    digest = build_digest(store, make_settings(tmp_path), day=DAY, clock=clock)
    page = read_page(digest.html)
    assert page.number("", "incidents") == 0
    assert "No incidents." in page.text
    assert "INCIDENTS: 0 (avg —; grouped by the early warning, which counts a complaint from 50%)\nNo incidents." in digest.text
    assert "Incidents" not in digest.summary


def test_incidents_found_by_the_early_warning_job_appear_in_the_digest(tmp_path, store, filler, clock):
    for hour in range(0, 24 * 3, 3):  # a quiet baseline over the days before
        filler.mention(at(hour, -3), complaint=0.9, text=f"Lumora la factura viene mal {hour}")
    for minute in range(0, 40, 2):  # a burst of login complaints at 20:00 Madrid time
        filler.mention(at(20 + minute / 60), complaint=0.9, source="reddit" if minute % 3 else "x",
                       text="Lumora la app no me deja iniciar sesion, error en la pantalla de login")
    settings = make_settings(tmp_path)
    clock.now = at(21)
    EarlyWarningJob(store, EarlyWarningConfig(enabled=True, complaint_threshold=0.6, channels=["file"]),
                    settings.brands, clock=clock).run()
    stored = store.db.execute(
        "SELECT id, title, size, alerted_step FROM incidents WHERE last_seen >= ? ORDER BY size DESC",
        [at(0).isoformat()]).fetchall()
    assert stored and stored[0][2] == 20

    page = read_page(build_digest(store, settings, day=DAY, clock=clock).html)

    assert page.rows["incidents"] == [str(row[0]) for row in stored]
    assert page.figures[("incidents", str(stored[0][0]), "title")] == stored[0][1]
    assert page.figures[("incidents", str(stored[0][0]), "size")] == "20"
    assert stored[0][3] > 0, "the burst raised a spike alert"
    assert page.figures[("incidents", str(stored[0][0]), "spike-alert")] == "yes"
