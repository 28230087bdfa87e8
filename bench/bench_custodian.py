"""Cloud Custodian (c7n 0.9.53, in its own virtualenv) on the simulated account: one `custodian run` per region.

The policy is the usual idle-EC2 check: average CPU under 5 % on every day of the last 14 (its `metrics`
filter, one GetMetricStatistics call per instance).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
VENV = BENCH / ".c7n-venv"
C7N_VERSION = "0.9.53"
POLICY = """policies:
  - name: idle-ec2
    resource: aws.ec2
    filters:
      - type: metrics
        name: CPUUtilization
        days: 14
        period: 86400
        value: 5
        op: less-than
"""


def ensure_venv() -> Path:
    """The `custodian` executable, installing c7n into bench/.c7n-venv the first time."""
    exe = VENV / "bin" / "custodian"
    if not exe.exists():
        print(f"# installing c7n=={C7N_VERSION} into {VENV}", file=sys.stderr, flush=True)
        subprocess.run(["python3", "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", f"c7n=={C7N_VERSION}"], check=True)
    return exe


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, stdout) of one child process; raises on a non-zero exit."""
    began = time.perf_counter()
    with open(cwd / "stderr.log", "ab") as err:
        child = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=err)
        assert child.stdout is not None
        out = child.stdout.read().decode()
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - began
    if child.returncode:
        raise RuntimeError(f"{cmd[0]} exited {child.returncode}; see {cwd / 'stderr.log'}")
    return wall, usage.ru_maxrss / 1024, out


def run_custodian(env: dict[str, str], regions: list[str], workdir: Path) -> dict[str, Any]:
    """Both regions one after the other (as `custodian run` does for several regions), timed end to end."""
    exe = ensure_venv()
    workdir.mkdir(parents=True, exist_ok=True)
    policy = workdir / "idle-ec2.yml"
    policy.write_text(POLICY)
    idle: list[str] = []
    wall = 0.0
    peak = 0.0
    for region in regions:
        out_dir = workdir / region
        seconds, rss, _ = timed([str(exe), "run", "--cache-period", "0", "-s", str(out_dir), "--region", region,
                                 str(policy)], env, workdir)
        wall += seconds
        peak = max(peak, rss)
        found = json.loads((out_dir / "idle-ec2" / "resources.json").read_text())
        idle += [r["InstanceId"] for r in found]
    return {"wall_s": wall, "maxrss_mb": peak, "idle_ec2": sorted(idle)}
