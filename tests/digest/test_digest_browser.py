"""The digest page in a real browser (headless Chromium), and the issue's "done when": the demo's digest."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from alerts.digest import build_digest
from alerts.digest.charts import COMPLAINTS_COLOUR, MENTIONS_COLOUR
from listener import cli
from listener.config import ClassifierConfig
from tests.digest.digest_support import DAY, at, make_settings, read_page
from tests.digest.screenshots import colour_bands, non_white_share, read_png, screenshot

DEMO_STREAM = Path(cli.__file__).parent / "demo" / "stream.jsonl"
CHART_MIN_HEIGHT = 40  # pixels: taller than the legend's coloured squares
BAND_GAP = 20  # pixels: rows of a colour closer than this are one band


def chart_bands(image) -> list[tuple[int, int]]:
    """The vertical extents of the bar charts: rows of either bar colour, as complaint bars stand in front
    of the mentions' (an hour with almost only complaints shows little of the mentions' colour)."""
    merged: list[tuple[int, int]] = []
    bands = colour_bands(image, MENTIONS_COLOUR, gap=BAND_GAP) + colour_bands(image, COMPLAINTS_COLOUR, gap=BAND_GAP)
    for top, bottom in sorted(bands):
        if merged and top - merged[-1][1] <= BAND_GAP:
            merged[-1] = (merged[-1][0], max(merged[-1][1], bottom))
        else:
            merged.append((top, bottom))
    return [band for band in merged if band[1] - band[0] >= CHART_MIN_HEIGHT]


def test_the_page_renders_with_both_charts_in_chromium(tmp_path, store, filler, clock):
    for hour in range(24):
        for n in range(hour % 5 + 1):
            filler.mention(at(hour + n / 10), complaint=0.9 if n % 2 else 0.1)
    page = tmp_path / "digest.html"
    page.write_text(build_digest(store, make_settings(tmp_path), day=DAY, clock=clock).html, encoding="utf-8")

    image = read_png(screenshot(page, tmp_path / "digest.png"))

    assert non_white_share(image) > 0.02
    assert len(chart_bands(image)) == 2  # the hourly chart and the 7-day trend
    assert len(colour_bands(image, COMPLAINTS_COLOUR)) >= 2


def _embedded_model_available() -> bool:
    from models.errors import ModelNotAvailable
    from models.factory import load_classifier

    try:
        load_classifier(ClassifierConfig(backend="embedded"))
    except ModelNotAvailable:
        return False
    return True


@pytest.fixture(scope="module")
def demo_digest(tmp_path_factory) -> Path:
    """The folder where `listener run --demo --once` then `listener digest --demo --out digest.html` ran.

    While the embedded model is not trained, the demo runs with the lexicon backend instead.
    """
    if not DEMO_STREAM.exists():
        pytest.skip(f"the demo stream {DEMO_STREAM} has not been generated (python -m listener.demo.generate)")
    workdir = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(workdir)
        if not _embedded_model_available():
            demo_settings = cli.demo_settings

            def lexicon_demo_settings(folder: Path):
                settings = demo_settings(folder)
                settings.classifier.backend = "lexicon"
                return settings

            patch.setattr(cli, "demo_settings", lexicon_demo_settings)
        runner = CliRunner()
        ran = runner.invoke(cli.main, ["run", "--demo", "--once"])
        assert ran.exit_code == 0, ran.output
        made = runner.invoke(cli.main, ["digest", "--demo", "--out", "digest.html"])
        assert made.exit_code == 0, made.output
    return workdir


def test_demo_digest_numbers_match_counts_taken_from_the_database(demo_digest):
    page = read_page((demo_digest / "digest.html").read_text(encoding="utf-8"))
    # The demo's busiest day is Thursday 19 November in Madrid: 18 Nov 23:00 to 19 Nov 23:00 UTC.
    assert "jueves, 19 de noviembre de 2026" in page.text
    day = "m.created_at >= '2026-11-18T23:00:00+00:00' AND m.created_at < '2026-11-19T23:00:00+00:00'"
    joined = f"FROM mentions m LEFT JOIN classifications c ON c.mention_id = m.id WHERE {day}"
    complaint = "c.complaint_prob >= 0.7"  # the demo's alert rule threshold

    def figure(section: str, name: str, row: str = "") -> float:
        return page.number(section, name, row, grouping=".", decimal=",")

    with closing(sqlite3.connect(demo_digest / cli.DEMO_DATABASE)) as db:

        def count(condition: str) -> int:
            return db.execute(f"SELECT COUNT(*) {joined} AND {condition}").fetchone()[0]

        assert figure("totals", "mentions") == count("m.brand = 'Lumora'") > 0
        assert figure("totals", "complaints") == count(f"m.brand = 'Lumora' AND {complaint}")
        for (source,) in db.execute(f"SELECT DISTINCT m.source {joined} AND m.brand = 'Lumora'").fetchall():
            assert figure("sources", "mentions", source) == count(f"m.brand = 'Lumora' AND m.source = '{source}'")
            assert figure("sources", "complaints", source) == count(
                f"m.brand = 'Lumora' AND m.source = '{source}' AND {complaint}")
        for (lang,) in db.execute(f"SELECT DISTINCT c.lang {joined} AND m.brand = 'Lumora'").fetchall():
            assert figure("languages", "mentions", lang) == count(f"m.brand = 'Lumora' AND c.lang = '{lang}'")
        for sentiment in ("negative", "neutral", "positive"):
            assert figure("sentiment", "count", sentiment) == count(
                f"m.brand = 'Lumora' AND c.sentiment = '{sentiment}'")
        for brand in ("Lumora", "Vireo Net"):
            assert figure("brands", "mentions", brand) == count(f"m.brand = '{brand}'")
            assert figure("brands", "complaints", brand) == count(f"m.brand = '{brand}' AND {complaint}")
        assert figure("acknowledgements", "alerted") == db.execute(  # posts, and incidents apart from their posts
            "SELECT COUNT(DISTINCT CASE WHEN a.group_key LIKE '%:incident:%' THEN a.group_key ELSE a.mention_id END) "
            f"FROM alerts a JOIN mentions m ON m.id = a.mention_id WHERE m.brand = 'Lumora' AND {day}").fetchone()[0]
        top = db.execute(f"SELECT m.id {joined} AND m.brand = 'Lumora' AND {complaint} ORDER BY m.author_reach DESC, "
                         "m.likes + m.reposts + m.replies + m.quotes DESC, m.id LIMIT 10").fetchall()
    assert page.rows["top-complaints"] == [str(row[0]) for row in top]


def test_demo_digest_shows_both_charts_in_chromium(demo_digest):
    image = read_png(screenshot(demo_digest / "digest.html", demo_digest / "digest.png"))
    assert non_white_share(image) > 0.02
    assert len(chart_bands(image)) == 2


def test_demo_digest_lists_the_bursts_incidents_from_the_database(demo_digest):
    page = read_page((demo_digest / "digest.html").read_text(encoding="utf-8"))
    with closing(sqlite3.connect(demo_digest / cli.DEMO_DATABASE)) as db:
        active = ("brand = 'Lumora' AND first_seen < '2026-11-19T23:00:00+00:00' "
                  "AND last_seen >= '2026-11-18T23:00:00+00:00' AND size >= 2")  # a lone complaint is no incident
        total = db.execute(f"SELECT COUNT(*) FROM incidents WHERE {active}").fetchone()[0]
        largest = db.execute(f"SELECT id, title, size FROM incidents WHERE {active} "
                             "ORDER BY size DESC, first_seen, id LIMIT 10").fetchall()
    assert largest, "the demo's burst on 19 November makes incidents"
    assert page.number("", "incidents") == total
    assert page.rows["incidents"] == [str(row[0]) for row in largest]
    for incident_id, title, size in largest:
        assert page.figures[("incidents", str(incident_id), "title")] == title
        assert page.figures[("incidents", str(incident_id), "size")] == str(size)
    login = ("iniciar sesión", "log in")  # the burst's login failure, in Spanish and English
    assert any(term in title for _, title, _ in largest for term in login), [title for _, title, _ in largest]
