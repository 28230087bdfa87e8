"""The storage suite shares the process's one chDB engine (tests/conftest.py `storage`), emptied per test."""

from __future__ import annotations

import pytest


@pytest.fixture
def db(storage_env):
    """An empty shared storage; DATA_DIR points at its directory."""
    return storage_env
