"""``listener doctor``: one call per source with credentials, OK or why not, never a secret."""

from __future__ import annotations

import pytest
import responses
from click.testing import CliRunner

from listener.cli import main
from listener.doctor import check_sources
from tests.sources.recordings import BEARER, CassetteServer, x_recording

SEARCH = "https://api.twitter.com/2/tweets/search/recent"


@pytest.fixture
def x_api():
    with responses.RequestsMock(assert_all_requests_are_fired=False, passthru_prefixes=("http://127.0.0.1",)) as mock:
        yield mock


def test_doctor_reports_each_source_and_why_it_failed(make_settings, x_api):
    rejected = x_recording("all-90b063.json")
    x_api.add(responses.GET, SEARCH, body=rejected.body, status=rejected.status, headers=rejected.headers)
    settings = make_settings(x=True, reddit=True)

    with CassetteServer.of("reddit/TestSubredditStreams.test_submissions.json") as reddit:
        checks = check_sources(settings, reddit_options={"oauth_url": reddit.url, "reddit_url": reddit.url})

    assert [(check.source, check.ok) for check in checks] == [("x", False), ("reddit", True)]
    assert "401" in checks[0].detail and BEARER not in checks[0].detail
    assert len(x_api.calls) == 1, "a doctor makes one call and does not retry"


def test_doctor_command_prints_a_table_and_exits_1_on_a_failure(make_settings, tmp_path, x_api):
    recorded = x_recording("all-0ddaa2.json")
    x_api.add(responses.GET, SEARCH, body=recorded.body, status=200, headers=recorded.headers)
    make_settings(x=True)
    environ = {"X_BEARER_TOKEN": BEARER, "REDDIT_CLIENT_ID": "", "REDDIT_CLIENT_SECRET": ""}

    result = CliRunner().invoke(main, ["doctor", "--config", str(tmp_path / "listener.toml")], env=environ)

    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["x", "OK", "bearer", "token", "accepted"]
