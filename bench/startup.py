"""Start-up time of the daemon: to "listener started", and to the first alert (the model loaded and used).

    python bench/startup.py [--runs 5]

Each run starts ``listener run`` on the demo config (embedded model) with a fresh database, replaying
the demo stream at once, and times the moment its log says "listener started" (config, store,
scheduler) and the moment the first alert line reaches the JSONL channel (the embedded model loaded,
the first batch stored, classified and evaluated, the alert delivered). Prints each run and the medians.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.traffic import DEMO, demo_config  # noqa: E402


def one_run() -> tuple[float, float]:
    """Seconds to "listener started" and to the first alert, for one fresh daemon."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        config = demo_config(folder, replay=DEMO / "stream.jsonl")
        log = folder / "daemon.log"
        alerts = folder / "alerts.jsonl"
        started_at = first_alert_at = None
        begun = time.perf_counter()
        with log.open("w") as stderr:
            daemon = subprocess.Popen([sys.executable, "-m", "listener", "run", "--config", str(config)],
                                      stdout=subprocess.DEVNULL, stderr=stderr, cwd=folder)
        try:
            while first_alert_at is None and time.perf_counter() - begun < 120:
                now = time.perf_counter() - begun
                if started_at is None and "listener started" in log.read_text():
                    started_at = now
                if alerts.exists() and alerts.stat().st_size:
                    first_alert_at = now
                time.sleep(0.01)
        finally:
            daemon.terminate()
            daemon.wait(timeout=30)
        if started_at is None or first_alert_at is None:
            raise SystemExit(f"the daemon did not start within 120 s; its log:\n{log.read_text()}")
        return started_at, first_alert_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = [one_run() for _ in range(args.runs)]
    for number, (started, alerted) in enumerate(runs, 1):
        print(f"run {number}: listener started {started:.2f} s, first alert {alerted:.2f} s")
    print(f"median: listener started {statistics.median(r[0] for r in runs):.2f} s, "
          f"first alert {statistics.median(r[1] for r in runs):.2f} s")


if __name__ == "__main__":
    main()
