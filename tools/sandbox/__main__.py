"""`python -m tools.sandbox`: seed the simulated account, print the exports, serve until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from tools.pricing.book import PriceBook

DEFAULT_REGIONS = ("us-east-1", "eu-west-1")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cost-agent sandbox", description="A simulated AWS account on loopback.")
    p.add_argument("--port", type=int, default=0, help="moto server port (0 = a free port)")
    p.add_argument("--scale", type=int, default=40, help="number of EC2 instances (the rest in proportion)")
    p.add_argument("--latency-ms", type=int, default=0, help="delay per request on every server")
    p.add_argument("--seed", type=int, default=7, help="seed for deterministic data")
    p.add_argument("--regions", default=",".join(DEFAULT_REGIONS), help="comma-separated regions")
    p.add_argument("--out", default=".", help="directory for ground_truth.json")
    p.add_argument("--ready-file", default=None, help="write {env, ground_truth_path} here once ready")
    p.add_argument("--variant", choices=("standard", "extended"), default="standard",
                   help="extended: add the cases real accounts have (Windows, RHEL, spot, RI-covered, legacy class, "
                        "Auto Scaling group, part-time and recently stopped instances, Multi-AZ by other tags, "
                        "large gp2, small-object bucket, new service spend)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    known = PriceBook.load().regions()
    if args.scale < 1 or not regions or any(r not in known for r in regions):
        print("sandbox: --scale must be >= 1 and --regions a comma-separated list of "
              f"{', '.join(known)}", file=sys.stderr)
        return 2
    from tools.sandbox.core import Sandbox  # imports moto (about a second): --help and bad usage answer before it

    stop = threading.Event()

    def _stop(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    with Sandbox(scale=args.scale, seed=args.seed, regions=regions, port=args.port,
                 latency_ms=args.latency_ms, variant=args.variant) as sandbox:
        truth_path = sandbox.write_ground_truth(Path(args.out))
        counts = sandbox.ground_truth["counts"]
        print(f"# sandbox seeded in {sandbox.timings['seed_s']:.1f} s: "
              + ", ".join(f"{n} {kind}" for kind, n in counts.items()), file=sys.stderr)
        print(f"# ground truth: {truth_path}", file=sys.stderr)
        print(sandbox.exports(), flush=True)
        if args.ready_file:
            ready = Path(args.ready_file)
            tmp = ready.with_suffix(".tmp")
            tmp.write_text(json.dumps({"env": sandbox.env, "ground_truth_path": str(truth_path.resolve()),
                                       "timings": sandbox.timings}))
            tmp.replace(ready)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
