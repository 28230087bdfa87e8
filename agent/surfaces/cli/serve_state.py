"""How `cost-agent ask` finds a running `cost-agent serve`: a state file in the data directory.

`serve` owns the embedded chDB store (one process per data directory), so a second process cannot read it; it
asks the server instead. `serve` writes `<data dir>/run/serve.json` (its URL and pid) once it listens, and removes
it when it stops. When serve made a one-session API key (no API_KEY set), the key is in the file too, so that
the same user can call the server: the directory is 0700 and the file 0600, created that way (never widened
afterwards), and a reader ignores a file or directory that another user owns or that others could read. A
configured API_KEY is never copied into it: `ask` reads it from the same settings as `serve`.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, ValidationError

log = logging.getLogger(__name__)

STATE_DIR, STATE_FILE = "run", "serve.json"
# Loopback calls never go through an HTTP proxy from the environment.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServerState(BaseModel):
    """What a running `serve` tells `ask`."""

    url: str = Field(pattern=r"^https?://[^/?#\s]+$", description="Base URL to call, e.g. http://127.0.0.1:8001")
    pid: int
    started_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    session_key: SecretStr | None = Field(None, description="serve's one-session key; None when API_KEY is set")


def state_path(data_dir: Path) -> Path:
    return Path(data_dir) / STATE_DIR / STATE_FILE


def write_state(data_dir: Path, state: ServerState) -> Path:
    """Write the file atomically, 0600 in a 0700 directory owned by this user (else `PermissionError`)."""
    path = state_path(data_dir)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.parent.stat().st_uid != os.getuid():
        raise PermissionError(f"{path.parent} belongs to another user")
    path.parent.chmod(0o700)
    body = state.model_dump(mode="json")
    body["session_key"] = state.session_key.get_secret_value() if state.session_key else None
    temporary = path.with_name(f".{STATE_FILE}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the mode is the file's from birth; fchmod covers a file left by a crash
        os.write(fd, json.dumps(body).encode())
    finally:
        os.close(fd)
    os.replace(temporary, path)
    return path


def remove_state(data_dir: Path, pid: int) -> None:
    """Remove the file if it is still this server's (a newer serve may have replaced it)."""
    state = read_state(data_dir)
    if state is not None and state.pid == pid:
        state_path(data_dir).unlink(missing_ok=True)


def _private(path: Path) -> bool:
    info = path.lstat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)


def read_state(data_dir: Path) -> ServerState | None:
    path = state_path(data_dir)
    try:
        if not (_private(path.parent) and _private(path) and path.is_file()):
            log.warning("ignoring %s: it belongs to another user or others can read it", path)
            return None
        return ServerState.model_validate_json(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValidationError) as exc:
        log.warning("ignoring %s: %s", path, str(exc).splitlines()[0])
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user reuses the pid: not our server
        return False
    return True


def find_server(data_dir: Path, timeout: float = 5.0) -> ServerState | None:
    """The running serve of this data directory: its file names a live process that answers `/health`."""
    state = read_state(data_dir)
    if state is None or not _alive(state.pid):
        return None
    try:
        with OPENER.open(f"{state.url}/health", timeout=timeout) as response:
            return state if response.status == 200 else None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.info("the server in %s does not answer: %s", state_path(data_dir), exc)
        return None
