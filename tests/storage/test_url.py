"""The CLICKHOUSE_URL to clickhouse_connect.get_client mapping, and which target settings select."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.settings import load_settings
from tools.storage import StorageConfigError, client_params_from_url, storage_target


def test_https_url_with_every_part() -> None:
    assert client_params_from_url("https://analyst:s3cret@ch.example.com:9443/finops") == {
        "host": "ch.example.com", "port": 9443, "username": "analyst", "password": "s3cret",
        "database": "finops", "secure": True,
    }


def test_http_url_defaults() -> None:
    assert client_params_from_url("http://localhost") == {
        "host": "localhost", "port": 8123, "username": "default", "password": "", "database": "default",
        "secure": False,
    }


def test_https_default_port_and_percent_encoded_credentials() -> None:
    params = client_params_from_url("https://me%40corp:p%40ss%3Aw%2Frd@10.0.0.5/cost%5Fdb")
    assert params == {"host": "10.0.0.5", "port": 8443, "username": "me@corp", "password": "p@ss:w/rd",
                      "database": "cost_db", "secure": True}


@pytest.mark.parametrize(("url", "message"), [
    ("tcp://u:topsecret@host:9000/db", "CLICKHOUSE_URL: expected http(s)://user:password@host:port/database"),
    ("http://u:topsecret@/db", "CLICKHOUSE_URL: the URL names no host"),
    ("http://u:topsecret@host:port/db", "CLICKHOUSE_URL: the port is not a number"),
    ("http://u:topsecret@host:8123/a/b", "CLICKHOUSE_URL: the path must be a single database name"),
])
def test_bad_urls_are_refused_without_echoing_credentials(url: str, message: str) -> None:
    with pytest.raises(StorageConfigError) as err:
        client_params_from_url(url)
    assert str(err.value) == message


def test_targets(tmp_path: Path) -> None:
    assert storage_target(load_settings(data_dir=tmp_path)) == ("chdb", str(tmp_path.resolve() / "clickhouse"))
    assert storage_target(load_settings(clickhouse_url=f"chdb://{tmp_path}/x")) == ("chdb", str(tmp_path / "x"))
    url = "https://u:p@ch:8443/db"
    assert storage_target(load_settings(clickhouse_url=url)) == ("server", url)
