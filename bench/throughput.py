"""End-to-end throughput: mentions per second through store, classification and rules on the demo config.

    python bench/throughput.py [--mentions 20000]

The demo config (embedded model, its rules, early warning) replays ``--mentions`` posts of the demo
stream's texts from a file, as the daemon's source job does: each batch stored with its cursor,
classified, evaluated and queued in the outbox. Delivery is not timed (see bench/latency.py).
Prints one line per stage and the end-to-end figure.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.traffic import demo_config, demo_posts, write_jsonl  # noqa: E402
from listener.app import Listener  # noqa: E402
from listener.config import load_settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        replay = write_jsonl(Path(folder) / "posts.jsonl", demo_posts(args.mentions))
        with Listener(load_settings(demo_config(Path(folder), replay=replay))) as app:
            app.pipeline.classifier.classify(["warm-up"], [None])  # the model's load is start-up, not throughput
            started = time.perf_counter()
            ingested = app.pipeline.ingest(app.sources[0])
            stored = time.perf_counter()
            classified = app.pipeline.classify_pending()
            done_classifying = time.perf_counter()
            queued = app.pipeline.evaluate_pending()
            finished = time.perf_counter()
    assert ingested.new == classified == args.mentions, (ingested, classified)
    total = finished - started
    print(f"classifier: {app.pipeline.classifier.name}")
    print(f"store:    {ingested.new} mentions in {stored - started:.2f} s ({ingested.new / (stored - started):,.0f}/s)")
    print(f"classify: {classified} mentions in {done_classifying - stored:.2f} s "
          f"({classified / (done_classifying - stored):,.0f}/s)")
    print(f"rules:    {args.mentions} mentions, {queued} alerts queued in {finished - done_classifying:.2f} s "
          f"({args.mentions / (finished - done_classifying):,.0f}/s)")
    print(f"end to end: {args.mentions / total:,.0f} mentions/s ({args.mentions} in {total:.2f} s)")


if __name__ == "__main__":
    main()
