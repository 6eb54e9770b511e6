"""Alert latency from ingest to delivery at a local Slack endpoint (p50, p95).

    python bench/latency.py [--seconds 30] [--rate 20]

Runs ``listener run`` on the demo config (embedded model, its rules, early warning) with one more
channel, a Slack bot pointed at a local Web API stand-in that one message per alert reaches (no rate
limit, no grouping, so the figure is the pipeline's and not a policy's). Posts are appended to the
replayed file at ``--rate`` per second for ``--seconds``; each alert's latency is the time from its
mention being stored (ingest) to its ``chat.postMessage`` arriving. The time from the post being
appended (which adds the source's poll interval) is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.traffic import demo_config, demo_posts  # noqa: E402
from listener.store import Store  # noqa: E402

SLACK_CHANNEL = """
[[alerts.channels]]
name = "slack"
type = "slack"
bot_token = "xoxb-bench"
channel = "C0BENCH"
base_url = "{url}/api/"
rate_limit_per_minute = 100000
grouping = false
"""


class SlackStandIn:
    """Answers ``chat.postMessage`` like Slack and notes when each alert's message arrived."""

    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        bench = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                arrived = time.time()
                key = ((body.get("metadata") or {}).get("event_payload") or {}).get("key")
                if key:
                    bench.arrivals.setdefault(key, arrived)
                answer = json.dumps({"ok": True, "channel": "C0BENCH", "ts": f"{arrived:.6f}",
                                     "messages": []}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (inclusive method)."""
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate", type=float, default=20, help="posts appended per second")
    args = parser.parse_args()
    slack = SlackStandIn()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        replay = folder / "posts.jsonl"
        replay.write_text("", encoding="utf-8")
        config = demo_config(folder, replay=replay, extra=SLACK_CHANNEL.format(url=slack.url))
        config.write_text(config.read_text().replace('channels = ["console", "file"]\n\n[alerts]',
                                                     'channels = ["console", "file", "slack"]\n\n[alerts]'))
        daemon = subprocess.Popen([sys.executable, "-m", "listener", "run", "--config", str(config)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder,
                                  env={**os.environ, "PYTHONUNBUFFERED": "1"})
        appended: dict[str, float] = {}
        try:
            posts = demo_posts(int(args.seconds * args.rate) + 400)
            warm_up = [next(posts) for _ in range(400)]  # one pass of the demo texts loads the model
            with replay.open("a", encoding="utf-8") as out:
                out.writelines(json.dumps(post, ensure_ascii=False) + "\n" for post in warm_up)
            while len(slack.arrivals) < 20:
                time.sleep(0.2)
            time.sleep(5)
            measured_from = len(slack.arrivals)
            started = time.monotonic()
            with replay.open("a", encoding="utf-8") as out:
                for number, post in enumerate(posts):
                    time.sleep(max(0.0, started + number / args.rate - time.monotonic()))
                    out.write(json.dumps(post, ensure_ascii=False) + "\n")
                    out.flush()
                    appended[str(post["id"])] = time.time()
            time.sleep(8)
        finally:
            daemon.terminate()
            daemon.wait(timeout=30)
        store = Store.open(folder / "listener.db")
        rows = store.db.execute("SELECT id, external_id, first_seen_at FROM mentions").fetchall()
    stored = {f"mention:{row[0]}:slack": (row[1], datetime.fromisoformat(row[2]).timestamp()) for row in rows}
    from_ingest, from_append = [], []
    for key, arrived in slack.arrivals.items():
        external_id, stored_at = stored[key]
        if external_id in appended:
            from_ingest.append(arrived - stored_at)
            from_append.append(arrived - appended[external_id])
    print(f"alerts measured: {len(from_ingest)} ({len(slack.arrivals) - measured_from} after warm-up), "
          f"{args.rate:g} posts/s for {args.seconds:g} s")
    for label, values in (("ingest -> Slack", from_ingest), ("append -> Slack", from_append)):
        print(f"{label}: p50 {percentile(values, 0.50) * 1000:.0f} ms, p95 {percentile(values, 0.95) * 1000:.0f} ms, "
              f"max {max(values) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
