"""The state file `serve` leaves for `ask`: private from birth, ignored when others could read it, removed only by
its own server; the socket serve binds and the URL it publishes."""

from __future__ import annotations

import json
import os
import socket
import stat

import pytest
from pydantic import SecretStr

from agent.surfaces.cli.exits import UsageError
from agent.surfaces.cli.serve import bind, local_url
from agent.surfaces.cli.serve_state import ServerState, find_server, read_state, remove_state, write_state


def test_written_private_and_read_back(tmp_path) -> None:
    state = ServerState(url="http://127.0.0.1:8001", pid=os.getpid(), session_key=SecretStr("k" * 32))
    path = write_state(tmp_path, state)
    assert path == tmp_path / "run" / "serve.json"
    assert (stat.S_IMODE(path.stat().st_mode), stat.S_IMODE(path.parent.stat().st_mode)) == (0o600, 0o700)
    assert json.loads(path.read_text())["session_key"] == "k" * 32
    read = read_state(tmp_path)
    assert read is not None and (read.url, read.pid) == (state.url, state.pid)
    assert read.session_key is not None and read.session_key.get_secret_value() == "k" * 32
    assert os.listdir(path.parent) == ["serve.json"]  # the temporary file was renamed, not left behind


def test_a_file_others_can_read_is_ignored(tmp_path, caplog) -> None:
    path = write_state(tmp_path, ServerState(url="http://127.0.0.1:8001", pid=os.getpid()))
    path.chmod(0o644)
    assert read_state(tmp_path) is None
    assert caplog.messages == [f"ignoring {path}: it belongs to another user or others can read it"]
    path.chmod(0o600)
    path.parent.chmod(0o755)
    assert read_state(tmp_path) is None


def test_only_its_own_server_removes_it(tmp_path) -> None:
    write_state(tmp_path, ServerState(url="http://127.0.0.1:8001", pid=os.getpid()))
    remove_state(tmp_path, os.getpid() + 1)
    assert read_state(tmp_path) is not None
    remove_state(tmp_path, os.getpid())
    assert read_state(tmp_path) is None
    remove_state(tmp_path, os.getpid())  # nothing to remove: no error


def test_a_dead_or_silent_server_is_not_found(tmp_path) -> None:
    write_state(tmp_path, ServerState(url="http://127.0.0.1:9", pid=2 ** 22 + 7))  # above any pid_max
    assert find_server(tmp_path) is None
    with socket.socket() as s:  # alive (this process) but nothing answers HTTP there
        s.bind(("127.0.0.1", 0))
        write_state(tmp_path, ServerState(url=f"http://127.0.0.1:{s.getsockname()[1]}", pid=os.getpid()))
    assert find_server(tmp_path, timeout=1) is None


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:8001/x", "gopher://h:1"])
def test_only_a_plain_http_base_url_is_accepted(url: str) -> None:
    with pytest.raises(ValueError):
        ServerState(url=url, pid=1)


@pytest.mark.parametrize(("host", "url"), [("127.0.0.1", "http://127.0.0.1:8001"), ("0.0.0.0", "http://127.0.0.1:8001"),
                                           ("::", "http://[::1]:8001"), ("::1", "http://[::1]:8001"),
                                           ("localhost", "http://localhost:8001")])
def test_the_published_url_is_reachable_from_this_machine(host: str, url: str) -> None:
    assert local_url(host, 8001) == url


def test_bind_refuses_a_port_in_use_and_an_unknown_host() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(UsageError) as err:
            bind("127.0.0.1", port)
    assert str(err.value) == (f"port {port} on 127.0.0.1 is in use by another process: choose another with --port, "
                              "or stop the process that holds it")
    with pytest.raises(UsageError, match="--host: cannot resolve 'no-such-host.invalid'"):
        bind("no-such-host.invalid", 8001)
    sock = bind("127.0.0.1", 0)
    try:
        assert sock.getsockname()[0] == "127.0.0.1" and sock.getsockname()[1] > 0
    finally:
        sock.close()
