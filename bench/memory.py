"""Daemon memory (RSS) over an accelerated replay of days of traffic: is there growth?

    python bench/memory.py [--posts-per-day 20000] [--days 2] [--minutes-per-day 2]

Runs ``listener run`` on the demo config (embedded model, its rules and channels, early warning)
replaying ``--days`` days of ``--posts-per-day`` posts of the demo stream's texts, each day taking
``--minutes-per-day``. The early-warning job runs every second instead of every minute, so that each
run sees about as many complaints as it would in real time at this pace. Samples the process's RSS
every few seconds from /proc and prints the samples, the peak, and the slope of a least-squares line
through the samples after the first day (the warm-up: model load, a day of baseline), in MB per
minute and per simulated day.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.traffic import demo_config, demo_posts, write_jsonl  # noqa: E402
from listener.store import Store  # noqa: E402

SAMPLE_SECONDS = 5
DAY_SECONDS = 86_400


def rss_mb(pid: int) -> float:
    """The resident set size of process ``pid``, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def slope(points: list[tuple[float, float]]) -> float:
    """The least-squares slope of ``points`` (y per x)."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts-per-day", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--minutes-per-day", type=float, default=2)
    parser.add_argument("--no-early-warning", action="store_true", help="to see what the early-warning job holds")
    args = parser.parse_args()
    speed = DAY_SECONDS / (args.minutes_per_day * 60)
    minutes = args.days * args.minutes_per_day
    posts = args.days * args.posts_per_day
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        replay = write_jsonl(folder / "posts.jsonl", demo_posts(posts, seconds_apart=DAY_SECONDS / args.posts_per_day))
        config = demo_config(folder, replay=replay, speed=speed)
        early_warning = "enabled = false" if args.no_early_warning else "enabled = true\ninterval_seconds = 1"
        config.write_text(config.read_text().replace("enabled = true\nchannels", f"{early_warning}\nchannels"))
        daemon = subprocess.Popen([sys.executable, "-m", "listener", "run", "--config", str(config)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder)
        samples: list[tuple[float, float]] = []
        started = time.monotonic()
        try:
            while time.monotonic() - started < minutes * 60 + 15:
                time.sleep(SAMPLE_SECONDS)
                samples.append((time.monotonic() - started, rss_mb(daemon.pid)))
        finally:
            daemon.terminate()
            daemon.wait(timeout=30)
        figures = Store.open(folder / "listener.db").stats()
    print(f"replayed {figures['mentions']} of {posts} posts ({args.days} days) in {minutes:g} min, speed {speed:.0f}x; "
          f"{figures['classified']} classified, {figures['alerts_sent']} alerts sent")
    print("RSS samples (s, MB): " + ", ".join(f"{t:.0f}:{mb:.0f}" for t, mb in samples))
    steady = [(t, mb) for t, mb in samples if t >= args.minutes_per_day * 60]
    per_minute = slope(steady) * 60
    print(f"peak {max(mb for _, mb in samples):.0f} MB; after day 1 {min(mb for _, mb in steady):.0f}-"
          f"{max(mb for _, mb in steady):.0f} MB; slope {per_minute:+.2f} MB/min "
          f"({per_minute * args.minutes_per_day:+.1f} MB per simulated day)")


if __name__ == "__main__":
    main()
