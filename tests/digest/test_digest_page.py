"""The digest page and text, rendered from a store the tests fill, read back and checked against the store."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from alerts.digest import build_digest
from alerts.notifiers.jsonl import JsonlNotifier
from alerts.outbox import ChannelPolicy, Outbox
from alerts.quiet_hours import QuietHours
from listener.config import QuietHoursConfig
from listener.domain import Alert, Classification, Mention, incident_group
from tests.digest.digest_support import DAY, DAY_START, at, make_settings, read_page

SOURCES = ("x", "reddit")
LANGS = ("es", "en", "pt")
TEXTS = ("Lumora me cobraron dos veces la factura", "Lumora sin internet desde ayer, no funciona",
         "Lumora the app login is broken", "Lumora todo bien", "Lumora o atendimento foi grosseiro")


def fill_week(filler, rng: random.Random) -> None:
    """Mentions of both brands over the digest day and the 7 days before, and a few on the day after."""
    for day_offset in range(-7, 2):
        for _ in range(rng.randint(3, 25)):
            brand = "Lumora" if rng.random() < 0.8 else "Vireo Net"
            filler.mention(at(rng.uniform(0, 23.99), day_offset), brand=brand, source=rng.choice(SOURCES),
                           lang=rng.choice(LANGS), text=rng.choice(TEXTS), complaint=rng.random(),
                           sentiment=rng.choice(("negative", "neutral", "positive")), reach=rng.randint(0, 50_000),
                           url=f"https://x.com/u/status/{rng.randint(1, 10**9)}")


def count(store, sql: str, *params) -> int:
    return store.db.execute(sql, list(params)).fetchone()[0]


DAY_SQL = "m.created_at >= ? AND m.created_at < ?"
DAY_BOUNDS = (DAY_START.isoformat(), (DAY_START + timedelta(days=1)).isoformat())


def test_page_figures_match_counts_taken_from_the_database(tmp_path, store, filler, clock):
    fill_week(filler, random.Random(6))
    settings = make_settings(tmp_path)
    page = read_page(build_digest(store, settings, day=DAY, clock=clock).html)

    joined = "FROM mentions m JOIN classifications c ON c.mention_id = m.id WHERE m.brand = ? AND " + DAY_SQL
    assert page.number("totals", "mentions") == count(store, f"SELECT COUNT(*) {joined}", "Lumora", *DAY_BOUNDS)
    assert page.number("totals", "complaints") == count(
        store, f"SELECT COUNT(*) {joined} AND c.complaint_prob >= 0.6", "Lumora", *DAY_BOUNDS)
    for source in SOURCES:
        assert page.number("sources", "mentions", source) == count(
            store, f"SELECT COUNT(*) {joined} AND m.source = ?", "Lumora", *DAY_BOUNDS, source)
    for lang in LANGS:
        assert page.number("languages", "complaints", lang) == count(
            store, f"SELECT COUNT(*) {joined} AND c.lang = ? AND c.complaint_prob >= 0.6", "Lumora", *DAY_BOUNDS, lang)
    for sentiment in ("negative", "neutral", "positive"):
        assert page.number("sentiment", "count", sentiment) == count(
            store, f"SELECT COUNT(*) {joined} AND c.sentiment = ?", "Lumora", *DAY_BOUNDS, sentiment)
    for brand in ("Lumora", "Vireo Net"):
        assert page.number("brands", "mentions", brand) == count(store, f"SELECT COUNT(*) {joined}", brand, *DAY_BOUNDS)
    top = [str(row[0]) for row in store.db.execute(
        f"SELECT m.id {joined} AND c.complaint_prob >= 0.6 ORDER BY m.author_reach DESC LIMIT 10",
        ["Lumora", *DAY_BOUNDS]).fetchall()]
    assert page.rows["top-complaints"] == top


def test_hourly_chart_counts_each_local_hour_of_the_day(tmp_path, store, filler, clock):
    for minutes in (5, 30, 55):
        filler.mention(at(21 + minutes / 60), complaint=0.9)
    filler.mention(at(9.5), complaint=0.1)
    html = build_digest(store, make_settings(tmp_path), day=DAY, clock=clock).html
    assert "<title>21: 3 mentions</title>" in html
    assert "<title>21: 3 complaints</title>" in html
    assert "<title>09: 1 mentions</title>" in html
    assert len(re.findall(r"<title>\d\d: \d+ mentions</title>", html)) == 2
    assert read_page(html).svgs == 2


def test_the_day_is_midnight_to_midnight_in_the_digest_timezone(tmp_path, store, filler, clock):
    filler.mention(DAY_START - timedelta(minutes=1))  # 23:59 on the 18th in Madrid
    filler.mention(DAY_START)  # 00:00 on the 19th
    filler.mention(DAY_START + timedelta(hours=23, minutes=59))  # 23:59 on the 19th
    filler.mention(DAY_START + timedelta(hours=24))  # 00:00 on the 20th
    page = read_page(build_digest(store, make_settings(tmp_path), day=DAY, clock=clock).html)
    assert page.number("totals", "mentions") == 2


def test_a_day_when_the_clocks_go_back_has_25_hours(tmp_path, store, filler, clock):
    # Madrid leaves summer time at 03:00 on 25 October 2026: 02:00-03:00 happens twice.
    filler.mention(datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc))  # 02:30 summer time
    filler.mention(datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc))  # 02:30 winter time
    html = build_digest(store, make_settings(tmp_path), day=date(2026, 10, 25), clock=clock).html
    assert len(re.findall(r">\d\d</text>", html.split("chart-trend")[0])) == 9  # a label every 3 hours of 25
    assert html.count("<title>02: 1 mentions</title>") == 2


def test_a_day_when_the_clocks_change_by_half_an_hour_does_not_break_the_digest(tmp_path, store, filler, clock):
    # Lord Howe Island leaves summer time at 02:00 on 5 April 2026 (UTC+11 to UTC+10:30): a day of 24.5 hours.
    zone = ZoneInfo("Australia/Lord_Howe")
    filler.mention(datetime(2026, 4, 5, 9, 0, tzinfo=zone))
    filler.mention(datetime(2026, 4, 5, 23, 45, tzinfo=zone))  # in the day's last half hour
    settings = make_settings(tmp_path, timezone="Australia/Lord_Howe")
    html = build_digest(store, settings, day=date(2026, 4, 5), clock=clock).html
    assert read_page(html).number("totals", "mentions") == 2
    assert "<title>23: 1 mentions</title>" in html


def test_a_complaint_is_at_or_above_the_alert_rules_threshold(tmp_path, store, filler, clock):
    filler.mention(at(10), complaint=0.6)
    filler.mention(at(11), complaint=0.59)
    page = read_page(build_digest(store, make_settings(tmp_path), day=DAY, clock=clock).html)
    assert page.number("totals", "complaints") == 1
    assert "at least 60%" in page.text


def test_acknowledgements_count_mentions_and_time_them_from_the_alert(tmp_path, store, filler, clock):
    delays = [10, 20, 60]
    for minutes in delays:
        mention = filler.mention(at(9), complaint=0.9)
        alert = filler.alert(mention, at(9))
        filler.alert(mention, at(9), channel="slack")  # the same mention on a second channel
        filler.acknowledge(alert, at(9) + timedelta(minutes=minutes))
    filler.alert(filler.mention(at(10), complaint=0.9), at(10))  # never acknowledged
    page = read_page(build_digest(store, make_settings(tmp_path), day=DAY, clock=clock).html)
    assert page.number("acknowledgements", "alerted") == 4
    assert page.number("acknowledgements", "acknowledged") == 3
    assert page.number("acknowledgements", "unacknowledged") == 1
    assert page.figures[("acknowledgements", "", "median")] == "20 min"
    assert page.figures[("acknowledgements", "", "p90")] == "60 min"


def test_an_incidents_alert_acknowledged_is_the_incidents_not_its_posts(tmp_path, store, filler, clock):
    """As `listener ack` does: the post an incident alert shows keeps its own alert unacknowledged."""
    shown = filler.mention(at(9), complaint=0.9)
    filler.alert(shown, at(9))
    store.enqueue_alerts([], [Alert(key="incident:1:step:1:file", channel="file", brand="Lumora", rule="spike",
                                    severity="high", title="Lumora: 12 complaints in 15 min", reasons=("spike",),
                                    mention_id=shown, group=incident_group("Lumora", 1), created_at=at(9))])
    [incident_alert] = [row[0] for row in store.db.execute("SELECT id FROM alerts WHERE key LIKE 'incident:%'")]
    filler.acknowledge(incident_alert, at(9) + timedelta(minutes=5))
    page = read_page(build_digest(store, make_settings(tmp_path), day=DAY, clock=clock).html)
    assert page.number("acknowledgements", "alerted") == 2  # the post and the incident
    assert page.number("acknowledgements", "acknowledged") == 1
    assert page.number("acknowledgements", "unacknowledged") == 1


def test_alerts_held_by_quiet_hours_are_not_counted_as_alerted_and_not_acknowledged(tmp_path, store, filler, clock):
    """Held alerts reach nobody; counted as "alerted, not acknowledged" they made the night look unanswered."""
    for hour in (22.5, 23, 23.5):
        held = filler.mention(at(hour), complaint=0.95)
        filler.hold([filler.alert(held, at(hour))], at(hour))
    both = filler.mention(at(23.75), complaint=0.95)  # held by email's quiet hours, delivered to Slack
    filler.hold([filler.alert(both, at(23.75), channel="mail")], at(23.75))
    filler.alert(both, at(23.75), channel="slack")
    delivered = filler.mention(at(10), complaint=0.95)
    filler.acknowledge(filler.alert(delivered, at(10)), at(10.5))
    page = read_page(build_digest(store, make_settings(tmp_path), day=DAY, clock=clock).html)
    assert page.number("acknowledgements", "alerted") == 2
    assert page.number("acknowledgements", "acknowledged") == 1
    assert page.number("totals", "unacknowledged") == 1
    assert page.number("held", "held") == 4


def test_alerts_held_by_quiet_hours_are_listed_in_the_next_digest_only(tmp_path, store, filler, clock):
    held = filler.mention(at(23.5), complaint=0.95, text="Lumora cobro indebido de madrugada")
    filler.hold([filler.alert(held, at(23.5)), filler.alert(held, at(23.5), channel="slack")], at(23.5))
    early = filler.mention(at(6), complaint=0.95)  # held before 08:00: the previous morning's digest had it
    filler.hold([filler.alert(early, at(6))], at(6))
    filler.alert(filler.mention(at(12), complaint=0.9), at(12))  # delivered normally: not listed
    settings = make_settings(tmp_path, time="08:00")

    page = read_page(build_digest(store, settings, day=DAY, clock=clock).html)
    page_before = read_page(build_digest(store, settings, day=DAY - timedelta(days=1), clock=clock).html)

    assert page.number("held", "held") == 1
    assert page.rows["held"] == [str(held)]
    assert "cobro indebido de madrugada" in page.text
    assert page_before.rows["held"] == [str(early)]


def test_an_alert_raised_before_the_digests_time_and_held_after_it_is_not_missing_from_every_digest(
        tmp_path, store, filler, clock):
    """Raised at 07:59:56 and held by the delivery round at 08:00:05, after the 08:00 digest of the 19th was made:
    counted by when it was raised, it belonged to the 19th's digest, already sent, and no digest listed it."""
    settings = make_settings(tmp_path, time="08:00")
    quiet = QuietHours(QuietHoursConfig(start="22:00", end="09:00", timezone="Europe/Madrid"))
    outbox = Outbox(store, {"file": JsonlNotifier("file", tmp_path / "alerts.jsonl")}, clock=clock,
                    policies={"file": ChannelPolicy(quiet_hours=quiet)})
    raised = filler.mention(at(7.99, day_offset=1), complaint=0.95)
    filler.alert(raised, at(7.999, day_offset=1))
    clock.now = at(8, day_offset=1)
    sent_that_morning = read_page(build_digest(store, settings, day=DAY, clock=clock).html)
    clock.now = at(8 + 5 / 3600, day_offset=1)
    assert outbox.deliver_due().held == 1

    clock.now = at(8, day_offset=2)
    next_morning = read_page(build_digest(store, settings, day=DAY + timedelta(days=1), clock=clock).html)

    assert sent_that_morning.number("held", "held") == 0
    assert next_morning.rows["held"] == [str(raised)]


def test_a_post_first_seen_after_its_days_digest_is_not_missing_from_every_digest(tmp_path, store, filler, clock):
    """A catch-up poll at 11:00 on the 20th brought posts of the 19th, whose digest went out at 08:00: the 19th's
    digest had not seen them and the 20th's counted only the 20th's, so no digest sent ever counted them."""
    settings = make_settings(tmp_path, time="08:00")
    clock.now = at(12)
    filler.mention(at(11), complaint=0.9)  # seen in time
    clock.now = at(11, day_offset=1)
    for hour in (14, 15, 16):
        filler.mention(at(hour), complaint=0.9 if hour < 16 else 0.1)
    filler.mention(at(20, day_offset=-2))  # of the 17th, imported from an old file
    clock.now = at(9, day_offset=2)
    filler.mention(at(22), complaint=0.9)  # seen after the 20th's digest: the 21st's counts it

    digest = build_digest(store, settings, day=DAY + timedelta(days=1), clock=clock)

    page = read_page(digest.html)
    assert page.number("late", "late") == 4 and page.number("late", "late-complaints") == 2
    assert page.rows["late"] == ["2026-11-19", "2026-11-17"]
    assert page.number("late", "mentions", "2026-11-19") == 3 and page.number("late", "complaints", "2026-11-19") == 2
    assert "LATE POSTS FROM EARLIER DAYS: 4 posts, 2 complaints" in digest.text
    assert "- Thursday, November 19, 2026: 3 posts, 2 complaints\n" in digest.text
    assert "Late posts from earlier days: 4 (2 complaints)." in digest.summary
    assert read_page(build_digest(store, settings, day=DAY + timedelta(days=2), clock=clock).html).rows["late"] == [
        "2026-11-19"]
    assert "late" not in read_page(build_digest(store, settings, day=DAY, clock=clock).html).rows


def test_an_empty_day_still_gives_a_digest_with_its_charts(tmp_path, store, filler, clock):
    filler.mention(at(10, day_offset=-3))
    digest = build_digest(store, make_settings(tmp_path), day=DAY, clock=clock)
    page = read_page(digest.html)
    assert "Nobody mentioned Lumora on this day." in page.text
    assert page.number("totals", "mentions") == 0
    assert page.svgs == 2
    assert "No complaints." in digest.text
    assert "Nobody mentioned Lumora" in digest.text


def test_a_big_day_is_bounded_to_the_top_n_by_reach(tmp_path, store, filler, clock):
    ids = [filler.mention(at(10), complaint=0.9, reach=reach) for reach in range(100, 3100, 100)]
    digest = build_digest(store, make_settings(tmp_path, top_n=5), day=DAY, clock=clock)
    page = read_page(digest.html)
    assert page.rows["top-complaints"] == [str(i) for i in reversed(ids[-5:])]
    assert "The 5 with the widest reach of 30." in page.text
    assert digest.text.count("\n- @user") == 5


def test_a_reddit_posts_reach_is_not_shown_as_if_it_were_followers(tmp_path, store, filler, clock):
    """Top complaints showed "450,000 reach" for a Reddit post: its subreddit's subscribers, read as followers."""
    filler.mention(at(10), source="reddit", complaint=0.9, reach=450_000)
    filler.mention(at(11), source="x", complaint=0.9, reach=86_000)
    digest = build_digest(store, make_settings(tmp_path), day=DAY, clock=clock)
    assert "450,000 subreddit subscribers" in read_page(digest.html).text
    assert "86,000 followers" in read_page(digest.html).text
    assert "(450,000 subreddit subscribers, reddit," in digest.text and "(86,000 followers, x," in digest.text


def test_the_text_part_does_not_hide_that_its_lists_are_cut_to_the_top_n(tmp_path, store, filler, clock):
    """It said "HELD DURING QUIET HOURS: 4" and listed 2, with no word of the other two (the page said it)."""
    for hour in (22, 22.5, 23, 23.5):
        held = filler.mention(at(hour), complaint=0.9)
        filler.hold([filler.alert(held, at(hour))], at(hour))
    text = build_digest(store, make_settings(tmp_path, top_n=2), day=DAY, clock=clock).text
    assert "TOP COMPLAINTS BY REACH: the 2 with the widest reach of 4\n" in text
    assert "HELD DURING QUIET HOURS: 4, the first 2\n" in text


def test_topics_are_bounded_to_the_top_n_with_the_most_complaints(tmp_path, store, filler, clock):
    """README: top_n is how many top complaints and topics; every topic was listed."""
    for text in ("Lumora sin internet", "Lumora no funciona", "Lumora la factura mal", "Lumora el repartidor no vino"):
        filler.mention(at(10), complaint=0.9, text=text)
    digest = build_digest(store, make_settings(tmp_path, top_n=1), day=DAY, clock=clock)
    page = read_page(digest.html)
    assert page.rows["topics"] == ["outage"]
    assert "The 1 with the most complaints of 3 topics." in page.text
    assert "COMPLAINT TOPICS: the 1 with the most complaints of 3\n- outage: 2 (avg —)\n\n" in digest.text


def test_numbers_and_dates_follow_the_brands_locale(tmp_path, store, filler, clock):
    filler.mention(at(10))
    filler.mention(at(11))
    filler.mention(at(12), brand="Vireo Net")
    digest = build_digest(store, make_settings(tmp_path, locale="es_ES"), day=DAY, clock=clock)
    page = read_page(digest.html)
    assert page.figures[("brands", "Lumora", "share")] == "66,7%"
    assert "jueves, 19 de noviembre de 2026" in page.text
    assert "66,7%" in digest.text


def test_post_text_and_links_cannot_inject_markup(tmp_path, store, filler, clock):
    filler.mention(at(10), complaint=0.9, text="Lumora <script>alert(1)</script> & <b>bold</b>",
                   url="javascript:alert(1)")
    html = build_digest(store, make_settings(tmp_path), day=DAY, clock=clock).html
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in html
    assert "javascript:" not in html


def test_topics_come_from_the_multilingual_taxonomy(tmp_path, store, filler, clock):
    filler.mention(at(10), complaint=0.9, text="Lumora me llegó otra FACTURACIÓN doble")
    filler.mention(at(11), complaint=0.9, text="Lumora: wrong invoice and the internet is down")
    filler.mention(at(12), complaint=0.9, text="Lumora cobrança indevida, sem internet")
    filler.mention(at(13), complaint=0.1, text="Lumora factura bien")  # not a complaint
    page = read_page(build_digest(store, make_settings(tmp_path), day=DAY, clock=clock).html)
    assert page.number("topics", "complaints", "billing") == 3
    assert page.number("topics", "complaints", "outage") == 2


def test_a_brand_can_have_its_own_taxonomy(tmp_path, store, filler, clock):
    filler.mention(at(10), complaint=0.9, text="Lumora roaming en Francia carísimo")
    settings = make_settings(tmp_path, brand_topics={"Lumora": {"roaming": ["roaming", "itinerancia"]}})
    page = read_page(build_digest(store, settings, day=DAY, clock=clock).html)
    assert page.rows["topics"] == ["roaming"]


def test_averages_divide_by_the_days_the_brand_was_heard_of_not_always_seven(tmp_path, store, filler, clock):
    """A brand first mentioned yesterday averages over one day: 84 mentions yesterday read 'avg 84', not 12."""
    settings = make_settings(tmp_path)
    for n in range(84):
        filler.mention(at(10 + n / 60, day_offset=-1), text="Lumora factura mal cobrada", complaint=0.9 if n < 6 else 0.1)
    filler.mention(at(10), text="Lumora ok")
    text = build_digest(store, settings, day=DAY, clock=clock).text
    assert "Mentions:   1 (avg 84)" in text and "Complaints: 0 (avg 6)" in text
    assert '"avg" is the daily average of the day before.' in text
    assert "compared with the daily average of the day before." in build_digest(store, settings, day=DAY, clock=clock).html
    first_day = build_digest(store, settings, day=DAY - timedelta(days=1), clock=clock)
    assert "Mentions:   84 (avg —)" in first_day.text and "before —" in first_day.text
    assert "No earlier day to compare with yet." in first_day.summary
    assert "with no earlier day to compare with yet." in first_day.html


def test_the_page_says_what_its_averages_are_taken_over(tmp_path, store, filler, clock):
    fill_week(filler, random.Random(6))
    html = build_digest(store, make_settings(tmp_path), day=DAY, clock=clock).html
    assert "compared with the daily average of the 7 days before." in html
    assert "<th>7-day avg</th>" in html and "<th>7-day share</th>" in html


def test_the_summarys_top_topics_are_those_complained_about_on_the_day(tmp_path, store, filler, clock):
    settings = make_settings(tmp_path)
    filler.mention(at(10, day_offset=-1), text="Lumora factura mal cobrada", complaint=0.9)
    filler.mention(at(10), text="Lumora sin internet, no funciona", complaint=0.9)
    summary = build_digest(store, settings, day=DAY, clock=clock).summary
    assert "Top topics: outage (1)." in summary


def test_the_summary_does_not_run_its_lines_together(tmp_path, store, filler, clock):
    """Slack showed "complaints 11.Incidents: 7": the line after the comparison lost its line break."""
    settings = make_settings(tmp_path)
    filler.mention(at(10, day_offset=-1), text="Lumora factura mal cobrada", complaint=0.9)
    filler.mention(at(10), text="Lumora sin internet, no funciona", complaint=0.9)
    lines = build_digest(store, settings, day=DAY, clock=clock).summary.splitlines()
    assert lines[1] == "Compared with the daily average of the day before: mentions 1, complaints 1."
    assert lines[2] == "Top topics: outage (1)."
    assert lines[3].startswith("Alerted 0, not acknowledged 0")
    first_day = build_digest(store, settings, day=DAY - timedelta(days=1), clock=clock).summary.splitlines()
    assert first_day[1] == "No earlier day to compare with yet."


def test_a_digest_made_while_posts_wait_unclassified_does_not_pass_its_complaints_off_as_complete(
        tmp_path, store, filler, clock):
    """A daemon killed mid-run, or a classifier down at digest time, left some of the day's posts unclassified:
    the digest counted them as mentions and none as complaints, and said nothing (988 mentions, 53 complaints
    where about 99 were expected)."""
    settings = make_settings(tmp_path)
    for hour in range(6):
        filler.mention(at(hour + 1), complaint=0.9 if hour < 3 else 0.1)
    waiting = [Mention(source="x", external_id=f"waiting{n}", text="Lumora no funciona", created_at=at(12 + n),
                       brand="Lumora", lang="es") for n in range(4)]
    store.save_batch("x", [*waiting, Mention(source="x", external_id="other-day", text="Lumora no funciona",
                                             created_at=at(12, day_offset=-1), brand="Lumora", lang="es")])

    digest = build_digest(store, settings, day=DAY, clock=clock)

    page = read_page(digest.html)
    assert page.number("totals", "mentions") == 10 and page.number("totals", "complaints") == 3
    assert page.number("unclassified", "unclassified") == 4
    assert "\nNot classified yet: 4 posts of the day (the classifier had not read them" in digest.text
    assert "\nNot classified yet: 4 posts of the day, not counted as complaints" in digest.summary
    store.save_classifications([(stored.id, Classification("es", "negative", (0.8, 0.1, 0.1), 0.9, (), "test"))
                                for stored in store.unclassified(10)])
    complete = build_digest(store, settings, day=DAY, clock=clock)
    assert "unclassified" not in read_page(complete.html).rows and 'id="unclassified"' not in complete.html
    assert "classified yet" not in complete.text and "classified yet" not in complete.summary
    assert read_page(complete.html).number("totals", "complaints") == 7
