"""`cost-agent ask` beside `cost-agent serve`: serve owns the embedded store and publishes where it listens,
ask finds it and asks through its HTTP API; without a server and with the store locked, one line and exit 2.
All real subprocesses on loopback."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import statistics
import time

from chat_data import EC2

from tools.storage import LOCKED_MESSAGE

KEY = "ask-test-key-1c9f07"
THREAD = re.compile(r"^thread: ([0-9a-f]{32}) \(continue with --thread \1\)$")


def money(x: float) -> str:
    return f"${x:,.2f}"


def _ec2_figure(seeded) -> str:
    start, end = seeded.start, seeded.end
    source = f"cost_summary {start}..{end}, service='{EC2}' (ClickHouse cost_metrics)"
    return f"{money(round(12.5 * ((end - start).days + 1), 2))} [Source: {source}]"


def test_ask_goes_through_serve_and_continues_the_thread(seeded, serve, run_cli, cli_env) -> None:
    question, follow_up = "What did we spend on EC2 last month?", "And the biggest savings opportunities?"
    here = run_cli(["ask", question], cli_env(seeded.data_dir))  # no server yet: answered in that process
    assert (here.returncode, here.stderr) == (0, "")
    assert _ec2_figure(seeded) in here.stdout.splitlines()[0]
    here_too = run_cli(["ask", follow_up], cli_env(seeded.data_dir))
    assert here_too.returncode == 0 and "$100.45" in here_too.stdout  # the ten idle instances' savings

    served = serve(seeded.data_dir)
    state_file = served.state_file
    # The one-session key is in the file: 0600, in a 0700 directory, both this user's.
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(state_file.parent.stat().st_mode) == 0o700
    state = json.loads(state_file.read_text())
    assert (state["url"], state["pid"]) == (served.url, served.proc.pid)
    assert len(state["session_key"]) == 32

    first = run_cli(["ask", question], served.env)  # the store is the server's now: only through it
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout.splitlines()[:-1] == here.stdout.splitlines()[:-1]
    thread = THREAD.match(first.stdout.splitlines()[-1])
    assert thread is not None

    again = run_cli(["ask", follow_up, "--thread", thread.group(1)], served.env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[:-1] == here_too.stdout.splitlines()[:-1]
    assert again.stdout.splitlines()[-1] == f"thread: {thread.group(1)} (continue with --thread {thread.group(1)})"

    # A question no stored data answers is not a success.
    cannot = run_cli(["ask", "Write me a poem about clouds"], served.env)
    assert cannot.returncode == 1
    said = cannot.stdout.splitlines()
    assert len(said) >= 2 and said[0] and "[Source:" not in cannot.stdout  # the answer says why; no citation
    assert THREAD.match(said[-1])
    assert cannot.stderr == ("cost-agent ask: the answer cites no stored data: the question could not be "
                             "answered from it\n")

    assert served.stop() == 0
    assert not state_file.exists()
    log = served.log.read_text()
    assert "POST /api/v1/chat 200" in log
    assert log.count(state["session_key"]) == 1  # printed once to the terminal that started serve, never logged


def test_ask_latency_through_serve_with_a_configured_key(seeded, serve, run_cli, record_property) -> None:
    served = serve(seeded.data_dir, API_KEY=KEY)
    assert "session_key" not in served.state_file.read_text() or \
        json.loads(served.state_file.read_text())["session_key"] is None  # a configured key is never copied
    wrong = run_cli(["ask", "Which resources are idle?"], {**served.env, "API_KEY": "not-the-key"})
    assert (wrong.returncode, wrong.stdout) == (2, "")
    assert wrong.stderr == (f"cost-agent ask: the server at {served.url} refused the API key: set API_KEY to the "
                            "key `cost-agent serve` was started with\n")
    questions = ["What did we spend on EC2 last month?", "What are the biggest savings opportunities?",
                 "Which resources are idle?", "Why did Lambda jump?", "How much did we spend by region last month?"]
    timings = []
    for i in range(10):
        began = time.perf_counter()
        done = run_cli(["ask", questions[i % len(questions)]], served.env)
        timings.append(time.perf_counter() - began)
        assert done.returncode == 0, done.stderr
    timings.sort()
    median, p95 = statistics.median(timings), timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
    record_property("ask_latency_median_s", round(median, 3))
    record_property("ask_latency_p95_s", round(p95, 3))
    print(f"\nask through serve, 10 questions: median {median:.3f} s, p95 {p95:.3f} s, "
          f"min {timings[0]:.3f} s, max {timings[-1]:.3f} s")
    assert median < 15


def test_locked_store_without_a_server_is_one_line_and_exit_2(storage_env, cli_env, run_cli) -> None:
    """This test process holds the store (storage_env), as a `cost-agent run` would; no serve is running."""
    env = cli_env(storage_env.data_dir)
    done = run_cli(["ask", "What did we spend on EC2 last month?"], env)
    path = storage_env.location
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"cost-agent ask: the data directory {path} is in use by another process and no "
                           "`cost-agent serve` answers for it: wait for that command to finish, or run "
                           "`cost-agent serve` and ask again\n")
    assert LOCKED_MESSAGE.startswith("data directory in use by another process")

    # A state file left by a server that died (SIGKILL) changes nothing.
    run_dir = storage_env.data_dir / "run"
    run_dir.mkdir(mode=0o700, exist_ok=True)
    (run_dir / "serve.json").write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": 2 ** 22 + 7}))
    os.chmod(run_dir / "serve.json", 0o600)
    stale = run_cli(["ask", "What did we spend on EC2 last month?"], env)
    assert (stale.returncode, stale.stderr) == (2, done.stderr)
    # A second serve on the locked store: one line, exit 2, and no state file of its own.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    second = run_cli(["serve", "--port", str(port)], env)
    assert (second.returncode, second.stderr) == (2, f"cost-agent serve: {LOCKED_MESSAGE}: {path}\n")
    assert json.loads((run_dir / "serve.json").read_text())["pid"] == 2 ** 22 + 7


def test_serve_on_a_port_in_use_exits_2_with_one_line(seeded, cli_env, run_cli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = run_cli(["serve", "--port", str(port)], cli_env(seeded.data_dir))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"cost-agent serve: port {port} on 127.0.0.1 is in use by another process: choose "
                           "another with --port, or stop the process that holds it\n")
    assert not (seeded.data_dir / "run" / "serve.json").exists()


def test_sigint_stops_serve_cleanly(seeded, serve) -> None:
    served = serve(seeded.data_dir)
    served.proc.send_signal(signal.SIGINT)
    assert served.proc.wait(20) == 0
    assert not served.state_file.exists()
