"""``listener ingest``: the real recorded X and Reddit responses, imported in place, idempotently."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from listener.app import Listener
from listener.cli import main
from listener.ingest import ingest_files, unwrap_recording
from tests.sources.recordings import fixture_path

X_RECORDINGS = ["x/all-0ddaa2.json", "x/all-e2249a.json", "x/tweetlist_example_v2.json"]
REDDIT_RECORDINGS = ["reddit/TestSubreddit.test_search.json", "reddit/TestSubredditListings.test_new.json",
                     "reddit/TestSubmission.test_comments.json"]


@pytest.fixture
def app(make_settings):
    with Listener(make_settings(x=False)) as listener:
        yield listener


def x_body(recording: str) -> dict:
    """The response body a recording holds (bare, or inside the derived httptest JSON)."""
    document = json.loads(fixture_path(recording).read_text(encoding="utf-8"))
    return json.loads(document["response"]["body"]) if "response" in document else document


def reddit_names(recording: str) -> set[str]:
    """Every t1/t3 fullname in a cassette's Listings, replies included: what an import must store."""
    document = json.loads(fixture_path(recording).read_text(encoding="utf-8"))
    names: set[str] = set()

    def walk(listing: dict) -> None:
        for child in listing["data"]["children"]:
            if child["kind"] in ("t1", "t3"):
                names.add(child["data"]["name"])
                if isinstance(child["data"].get("replies"), dict):
                    walk(child["data"]["replies"])

    for interaction in document["interactions"]:
        body = json.loads(interaction["response"]["body"]["string"])
        for listing in body if isinstance(body, list) else [body]:
            if listing.get("kind") == "Listing":
                walk(listing)
    return names


def stored_ids(app: Listener, source: str) -> set[str]:
    return {row[0] for row in app.store._conn.execute("SELECT external_id FROM mentions WHERE source = ?", (source,))}


@pytest.mark.parametrize("recording", X_RECORDINGS)
def test_x_recording_stores_exactly_its_tweets_with_author_followers(app, recording):
    body = x_body(recording)
    followers = {user["id"]: user["public_metrics"]["followers_count"]
                 for user in body.get("includes", {}).get("users", []) if "public_metrics" in user}

    summary = ingest_files(app, [fixture_path(recording)], "x-v2", brand="KFC")

    assert stored_ids(app, "x") == {tweet["id"] for tweet in body["data"]}
    assert summary.counts() == {"read": len(body["data"]), "new": len(body["data"]), "duplicates": 0, "errors": 0}
    for tweet in body["data"]:
        assert app.store.mention_by_key("x", tweet["id"]).mention.author_reach == followers.get(tweet["author_id"])


@pytest.mark.parametrize("recording", X_RECORDINGS + REDDIT_RECORDINGS)
def test_second_import_adds_nothing(app, recording):
    format_ = "x-v2" if recording.startswith("x/") else "reddit"
    first = ingest_files(app, [fixture_path(recording)], format_, brand="KFC")

    second = ingest_files(app, [fixture_path(recording)], format_, brand="KFC")

    assert first.new > 0
    assert (second.new, second.duplicates) == (0, first.new)


@pytest.mark.parametrize("recording", REDDIT_RECORDINGS)
def test_reddit_recording_stores_exactly_its_posts_and_comments(app, recording):
    summary = ingest_files(app, [fixture_path(recording)], "reddit", brand="KFC")

    assert stored_ids(app, "reddit") == reddit_names(recording)
    assert summary.new == len(reddit_names(recording)) and summary.errors == []


def test_bare_reddit_listing_and_subscribers_as_reach(app, tmp_path):
    cassette = json.loads(fixture_path(REDDIT_RECORDINGS[0]).read_text(encoding="utf-8"))
    listing = json.loads(cassette["interactions"][1]["response"]["body"]["string"])
    listing["data"]["children"][0]["data"]["subreddit_subscribers"] = 12345  # as newer listings carry
    saved = tmp_path / "search.json"
    saved.write_text(json.dumps(listing), encoding="utf-8")

    summary = ingest_files(app, [saved], "reddit", brand="KFC")

    assert summary.new == 6
    first = listing["data"]["children"][0]["data"]
    assert app.store.mention_by_key("reddit", first["name"]).mention.author_reach == 12345


def test_without_brand_posts_are_matched_by_terms_and_the_rest_counted(app):
    body = x_body("x/tweetlist_example_v2.json")

    summary = ingest_files(app, [fixture_path("x/tweetlist_example_v2.json"), fixture_path("x/all-0ddaa2.json")],
                           "x-v2")

    brands = {app.store.mention_by_key("x", tweet["id"]).mention.brand for tweet in body["data"]}
    assert brands == {"Lequipe"}, "every tweet there mentions @lequipe"
    assert summary.read == 10 + 4 and summary.read == summary.new + summary.skipped
    assert summary.skipped > 0


def test_empty_response_is_fine(app, tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"meta": {"result_count": 0}}), encoding="utf-8")

    assert ingest_files(app, [empty], "x-v2", brand="KFC").counts() == {
        "read": 0, "new": 0, "duplicates": 0, "errors": 0}


def test_malformed_file_is_named_and_the_others_still_import(app, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"data": [', encoding="utf-8")

    summary = ingest_files(app, [broken, fixture_path("x/all-0ddaa2.json")], "x-v2", brand="KFC")

    assert summary.new == 4 and len(summary.errors) == 1
    assert summary.errors[0].startswith(f"{broken}: not valid JSON")


@pytest.mark.parametrize("fields", [
    {"created_at": "9999-12-31T23:00:00-05:00"},  # after year 9999 once in UTC
    {"public_metrics": [1]},
    {"referenced_tweets": ["1402323452327407616"]},
], ids=["time-after-9999-in-utc", "metrics-a-list", "reference-a-string"])
def test_a_tweet_that_cannot_be_stored_is_reported_and_its_file_and_the_next_still_import(app, tmp_path, fields):
    """Such a tweet used to stop the whole import with a traceback: nothing stored, the next file unread."""
    body = x_body("x/all-0ddaa2.json")
    body["data"][1].update(fields)
    saved = tmp_path / "search.json"
    saved.write_text(json.dumps(body), encoding="utf-8")

    summary = ingest_files(app, [saved, fixture_path("x/tweetlist_example_v2.json")], "x-v2", brand="KFC")

    assert summary.counts() == {"read": 4 + 10, "new": 3 + 10, "duplicates": 0, "errors": 1}
    assert summary.errors[0].startswith(f"{saved}: tweet #2: field ")
    assert app.store.mention_by_key("x", body["data"][1]["id"]) is None


@pytest.mark.parametrize("fields", [{"created_utc": 1e20}, {"created_utc": float("nan")}],
                         ids=["time-after-9999", "time-nan"])
def test_a_reddit_post_that_cannot_be_stored_is_reported_and_the_others_import(app, tmp_path, fields):
    cassette = json.loads(fixture_path(REDDIT_RECORDINGS[0]).read_text(encoding="utf-8"))
    listing = json.loads(cassette["interactions"][1]["response"]["body"]["string"])
    listing["data"]["children"][1]["data"].update(fields)
    saved = tmp_path / "search.json"
    saved.write_text(json.dumps(listing), encoding="utf-8")

    summary = ingest_files(app, [saved], "reddit", brand="KFC")

    assert (summary.new, len(summary.errors)) == (5, 1)
    assert summary.errors[0].startswith(f"{saved}: child #2: field '{next(iter(fields))}'")


@pytest.mark.parametrize("recording", ["x/all-90b063.json", "x/all-92adbd.json"])
def test_recorded_error_responses_are_errors_not_empty_results(app, recording):
    summary = ingest_files(app, [fixture_path(recording)], "x-v2", brand="KFC")

    assert summary.counts() == {"read": 0, "new": 0, "duplicates": 0, "errors": 1}
    assert summary.errors[0].startswith(str(fixture_path(recording)))


def test_replay_jsonl_goes_through_the_replay_mapping(app, tmp_path):
    records = tmp_path / "posts.jsonl"
    records.write_text("\n".join([
        json.dumps({"id": "r1", "text": "my KFC order never came", "created_at": "2026-11-19T10:00:00Z"}),
        json.dumps({"id": "r2", "text": "nothing about anyone", "created_at": "2026-11-19T10:01:00Z"}),
        "not json",
    ]) + "\n", encoding="utf-8")

    summary = ingest_files(app, [records], "jsonl")

    assert summary.counts() == {"read": 3, "new": 1, "duplicates": 0, "errors": 1}
    assert app.store.mention_by_key("replay", "r1").mention.brand == "KFC"


def kfc_record(post_id: str, text: str = "KFC cold fries again") -> str:
    return json.dumps({"id": post_id, "text": text, "created_at": "2026-11-19T10:00:00Z"}, ensure_ascii=False)


def test_a_line_separator_inside_a_jsonl_string_does_not_split_its_record(app, tmp_path):
    """Records used to be split on U+2028, U+0085 and the like too (str.splitlines): both lines were errors."""
    records = tmp_path / "posts.jsonl"
    records.write_text(kfc_record("1", "KFC cobró dos veces\u2028¡devuélvanme mi dinero!") + "\n"
                       + kfc_record("2", "KFC\u0085no funciona") + "\n", encoding="utf-8")

    summary = ingest_files(app, [records], "jsonl")

    assert summary.counts() == {"read": 2, "new": 2, "duplicates": 0, "errors": 0}
    assert app.store.mention_by_key("replay", "1").mention.text == "KFC cobró dos veces\u2028¡devuélvanme mi dinero!"


def test_a_jsonl_line_that_is_not_utf8_is_reported_with_its_number_and_the_others_import(app, tmp_path):
    """One Latin-1 byte used to fail the whole file, with no line number."""
    records = tmp_path / "posts.jsonl"
    records.write_bytes(b"\n".join([kfc_record("1").encode(), kfc_record("2", "KFC caf\xe9").encode("latin-1"),
                                    kfc_record("3").encode()]) + b"\n")

    summary = ingest_files(app, [records], "jsonl")

    assert summary.counts() == {"read": 3, "new": 2, "duplicates": 0, "errors": 1}
    assert summary.errors[0].startswith(f"{records}:2: not UTF-8 text")


@pytest.mark.parametrize("format_", ["jsonl", "x-v2"])
def test_a_utf8_byte_order_mark_is_read_past(app, tmp_path, format_):
    """It used to make the first line of a JSONL file an error (and a whole JSON file unreadable)."""
    saved = tmp_path / "saved"
    text = kfc_record("1") + "\n" if format_ == "jsonl" else json.dumps(x_body("x/all-0ddaa2.json"))
    saved.write_text(text, encoding="utf-8-sig")

    summary = ingest_files(app, [saved], format_, brand="KFC")

    assert summary.errors == [] and summary.new == (1 if format_ == "jsonl" else 4)


def test_posts_older_than_the_retention_are_counted_too_old_and_never_stored_however_often_imported(
        make_settings, tmp_path):
    """They used to be stored and alerted, deleted by housekeeping, and stored and alerted again by the next import."""
    settings = make_settings(x=False)
    settings.storage.retention_days = 30
    records = tmp_path / "posts.jsonl"
    posted = (datetime.now(timezone.utc) - timedelta(days=40)).isoformat()
    records.write_text(json.dumps({"id": "old1", "text": "KFC charged me twice, I want my money back",
                                   "created_at": posted}) + "\n", encoding="utf-8")

    with Listener(settings) as app:
        reports = []
        for _ in range(2):
            reports.append(ingest_files(app, [records], "jsonl"))
            app.housekeeping()

        assert [(report.read, report.new, report.too_old) for report in reports] == [(1, 0, 1)] * 2
        assert app.store.mention_by_key("replay", "old1") is None


def test_a_field_of_the_wrong_type_skips_its_line_and_the_import_goes_on(app, tmp_path):
    """Such a line used to stop the whole import with a traceback, the files after it unread."""
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("\n".join(json.dumps({"id": f"a{n}", "text": "my KFC order never came", "created_at": "2026-11-19T10:00:00Z",
                                           **fields}) for n, fields in enumerate([{}, {"author_handle": 12345},
                                                                                 {"brand": ["KFC"]}, {"likes": 10**30}, {}])) + "\n",
                     encoding="utf-8")
    second.write_text(json.dumps({"id": "b1", "text": "KFC cold fries again", "created_at": "2026-11-19T10:05:00Z"}) + "\n",
                      encoding="utf-8")

    summary = ingest_files(app, [first, second], "jsonl")

    assert summary.counts() == {"read": 6, "new": 3, "duplicates": 0, "errors": 3}
    assert [app.store.mention_by_key("replay", key) is not None for key in ("a0", "a4", "b1")] == [True] * 3


def test_a_records_brand_counts_only_when_configured_and_never_over_brand_or_for_an_excluded_account(app, tmp_path):
    records = tmp_path / "posts.jsonl"
    rows = [("1", "Lequipe", "kfc fries cold", None), ("2", "Acme", "kfc fries cold", None),
            ("3", "KFC", "our fries are back", "lumora_support"), ("5", "KFC", "KFC fries go up 5%", "@KFC_News")]
    records.write_text("".join(json.dumps({"id": post_id, "brand": brand, "text": text, "author_handle": handle,
                                           "created_at": "2026-11-19T10:00:00Z"}) + "\n"
                               for post_id, brand, text, handle in rows), encoding="utf-8")

    assert ingest_files(app, [records], "jsonl").counts()["new"] == 2
    assert [app.store.mention_by_key("replay", key).mention.brand for key in ("1", "2")] == ["Lequipe", "KFC"]
    assert app.store.mention_by_key("replay", "3") is None  # the brand's own account
    assert app.store.mention_by_key("replay", "5") is None  # an account it ignores, however it is written
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps({"id": "4", "brand": "Lequipe", "text": "cold fries", "created_at": "2026-11-19T10:00:00Z"})
                    + "\n", encoding="utf-8")
    ingest_files(app, [more], "jsonl", brand="KFC")
    assert app.store.mention_by_key("replay", "4").mention.brand == "KFC"  # --brand assigns every post


def test_recording_wrappers_are_unwrapped():
    cassette = json.loads(fixture_path(REDDIT_RECORDINGS[0]).read_text(encoding="utf-8"))
    bodies = unwrap_recording(cassette)
    assert len(bodies) == 1 and bodies[0]["kind"] == "Listing", "the access-token exchange is not a listing"


def test_cli_prints_the_counts_as_its_last_line_and_exits_1_when_nothing_was_read(make_settings, tmp_path):
    make_settings(x=False)
    config = tmp_path / "listener.toml"
    runner = CliRunner()
    environ = {"X_BEARER_TOKEN": "t", "REDDIT_CLIENT_ID": "i", "REDDIT_CLIENT_SECRET": "s"}

    result = runner.invoke(main, ["ingest", "--config", str(config), "--format", "x-v2", "--brand", "KFC", "--json",
                                  str(fixture_path("x/all-e2249a.json"))], env=environ)
    missing = runner.invoke(main, ["ingest", "--config", str(config), "--format", "x-v2", "--json",
                                   str(tmp_path / "nope.json")], env=environ)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"read": 16, "new": 16, "duplicates": 0, "errors": 0}
    assert missing.exit_code == 1
    assert json.loads(missing.stdout.strip().splitlines()[-1])["errors"] == 1
    assert "nope.json" in missing.stderr


def test_ingest_with_a_model_that_is_not_there_does_not_pass_as_mentions_left_unclassified(write_config, tmp_path):
    config = write_config()
    config.write_text(config.read_text().replace(
        'backend = "lexicon"', f'backend = "embedded"\nmodel_path = "{tmp_path / "no-model"}"'))
    posts = tmp_path / "posts.jsonl"
    posts.write_text("".join(json.dumps({"id": str(n), "text": f"Lumora is down again {n}",
                                         "created_at": "2026-11-19T10:00:00Z"}) + "\n" for n in range(3)))

    result = CliRunner().invoke(main, ["ingest", "--config", str(config), "--format", "jsonl", str(posts)])

    assert result.exit_code == 2, result.output
    assert "config error: no embedded model in" in result.stderr and "python -m models.train" in result.stderr
    assert "mention not classified" not in result.output
