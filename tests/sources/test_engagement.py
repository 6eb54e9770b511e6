"""The engagement re-poll: recent complaints get today's likes and reach, so spreading ones are seen."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import responses

from listener.app import Listener
from listener.domain import Classification
from listener.ingest import ingest_files
from listener.sources.x import XSource, x_client
from tests.sources.recordings import fixture_path, x_recording

LOOKUP = "https://api.twitter.com/2/tweets"


def test_recent_complaints_get_their_engagement_refreshed(make_settings, throttle):
    body = x_recording("all-0ddaa2.json").json()
    complaint, other = body["data"][0], body["data"][1]
    posted = datetime.fromisoformat(complaint["created_at"].replace("Z", "+00:00"))
    settings = make_settings(x=True)
    source = XSource(settings.sources.x, settings.brands[:1], client=x_client(settings.sources.x),
                     throttle=throttle("x"))
    with Listener(settings, sources=[source], clock=lambda: posted + timedelta(hours=2)) as app:
        ingest_files(app, [fixture_path("x/all-0ddaa2.json")], "x-v2", brand="KFC", classify=False)
        stored = app.store.mention_by_key("x", complaint["id"])
        verdict = Classification("en", "negative", (0.9, 0.05, 0.05), complaint_prob=0.95)
        app.store.save_classifications([(stored.id, verdict)])
        complaint["public_metrics"]["like_count"] += 500
        with responses.RequestsMock() as api:
            api.add(responses.GET, LOOKUP, body=json.dumps(body), status=200)

            updated = app.repoll_engagement()

            assert api.calls[0].request.params["ids"] == complaint["id"], "only complaints are re-polled"
        assert updated == 1
        assert app.store.mention_by_key("x", complaint["id"]).mention.engagement.likes == \
            complaint["public_metrics"]["like_count"]
        assert app.store.mention_by_key("x", other["id"]).mention.engagement.likes == \
            other["public_metrics"]["like_count"]



def test_an_edited_tweet_is_re_polled_by_the_id_of_its_version_last_read(make_settings, throttle, tmp_path):
    """Its mention is keyed on the first version's id, which X answers with the first version: counts that
    stopped growing at the edit."""
    body = x_recording("all-0ddaa2.json").json()
    body["data"] = body["data"][:1]
    edit = body["data"][0]
    first_id, edit["id"] = edit["id"], str(int(edit["id"]) + 1)
    edit["edit_history_tweet_ids"] = [first_id, edit["id"]]
    saved = tmp_path / "edited.json"
    saved.write_text(json.dumps(body), encoding="utf-8")
    posted = datetime.fromisoformat(edit["created_at"].replace("Z", "+00:00"))
    settings = make_settings(x=True)
    source = XSource(settings.sources.x, settings.brands[:1], client=x_client(settings.sources.x),
                     throttle=throttle("x"))
    with Listener(settings, sources=[source], clock=lambda: posted + timedelta(hours=2)) as app:
        ingest_files(app, [saved], "x-v2", brand="KFC", classify=False)
        stored = app.store.mention_by_key("x", first_id)
        app.store.save_classifications([(stored.id, Classification("en", "negative", (0.9, 0.05, 0.05), 0.95))])
        edit["public_metrics"]["like_count"] += 500
        with responses.RequestsMock() as api:
            api.add(responses.GET, LOOKUP, body=json.dumps(body), status=200)

            app.repoll_engagement()

            assert api.calls[0].request.params["ids"] == edit["id"]
        assert app.store.mention(stored.id).mention.engagement.likes == edit["public_metrics"]["like_count"]
