"""Settings: the seed's defaults, config.yaml, and one clear line per bad value."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from moto import mock_aws

from tools.aws.clients import ClientFactory
from tools.aws.session import make_session
from tools.settings import ConfigError, CostSettings, Settings, describe, load_settings


def test_seed_defaults():
    s = load_settings()
    assert (s.aws_default_region, s.aws_cost_lookback_days, s.aws_idle_cpu_threshold) == ("us-east-1", 30, 5.0)
    assert (s.aws_underutilized_cpu_threshold, s.aws_spot_savings_target, s.aws_collection_schedule) == (20.0, 35.0, None)
    assert s.cost.bedrock_input_cost_per_1k == 0.003 and s.cost.redshift_base_rpus == 8
    assert s.data_dir.name == "optiinfra-cost-agent"


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        ("AWS_IDLE_CPU_THRESHOLD", "abc", "AWS_IDLE_CPU_THRESHOLD: expected a number between 0 and 100 (percent), got 'abc'"),
        ("AWS_REGIONS", "us-east-1,mars-1", "AWS_REGIONS: expected a comma-separated list of AWS region names such as "
                                            "us-east-1,eu-west-1, got 'us-east-1,mars-1'"),
        ("AWS_COLLECTION_SCHEDULE", "every day", "AWS_COLLECTION_SCHEDULE: expected a five-field cron expression such "
                                                 "as '0 6 * * *', got 'every day'"),
        ("AWS_COST_LOOKBACK_DAYS", "0", "AWS_COST_LOOKBACK_DAYS: expected a whole number of days between 1 and 395, got '0'"),
    ],
)
def test_bad_values_name_the_variable_and_the_expected_form(monkeypatch, variable, value, line):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value) == line
    assert "\n" not in str(error.value)


def test_a_bad_secret_is_named_but_never_echoed(monkeypatch):
    monkeypatch.setenv("CLICKHOUSE_URL", "ftp://user:hunter2@host/db")
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value) == "CLICKHOUSE_URL: expected http(s)://user:password@host:port/database"


def test_regions_and_cron_parse(monkeypatch):
    monkeypatch.setenv("AWS_REGIONS", "us-east-1, eu-west-1")
    monkeypatch.setenv("AWS_COLLECTION_SCHEDULE", "0 6 * * *")
    s = load_settings()
    assert s.aws_regions == ["us-east-1", "eu-west-1"]
    assert s.aws_collection_schedule == "0 6 * * *"


def test_cost_prices_from_config_yaml_and_environment(monkeypatch, tmp_path: Path):
    config = tmp_path / "config.yaml"
    config.write_text("cost:\n  bedrock_input_cost_per_1k: 0.0008\n  redshift_base_rpus: 16\naws_idle_cpu_threshold: 3\n")
    monkeypatch.setenv("COST_AGENT_CONFIG", str(config))
    s = load_settings()
    assert (s.cost.bedrock_input_cost_per_1k, s.cost.redshift_base_rpus, s.aws_idle_cpu_threshold) == (0.0008, 16, 3.0)
    monkeypatch.setenv("AWS_IDLE_CPU_THRESHOLD", "4")  # the environment wins over the file
    assert load_settings().aws_idle_cpu_threshold == 4.0


def test_assume_role_uses_the_configured_role_and_external_id(monkeypatch):
    monkeypatch.setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/cost-reader")
    monkeypatch.setenv("AWS_EXTERNAL_ID", "ext-42")
    with mock_aws():
        settings = load_settings()
        session = make_session(settings)
        identity = session.client("sts", region_name="us-east-1").get_caller_identity()
        assert identity["Arn"] == "arn:aws:sts::123456789012:assumed-role/cost-reader/optiinfra-cost-agent"


def test_regions_come_from_the_setting_or_the_account(monkeypatch):
    with mock_aws():
        assert ClientFactory(load_settings(aws_regions=["eu-west-1"])).regions() == ["eu-west-1"]
        enabled = ClientFactory(load_settings()).regions()
        assert "us-east-1" in enabled and "eu-west-1" in enabled and enabled == sorted(enabled)


PYDANTIC_WORDS = ("Input should", "Value error", "valid integer", "valid number", "validation error", "pydantic")


def _bad_value(name: str, info) -> object:
    """A value of the wrong kind for the field, as config.yaml can hold it (the environment only has strings)."""
    kind = describe(info)
    if kind.startswith(("a number", "a whole number")):
        return "lots"
    if kind == "true or false":
        return "maybe"
    if kind.startswith("one of"):
        return "bogus"
    if kind == "a comma-separated list":
        return [["not", "a", "name"]]
    return ["not", "one", "value"]


@pytest.mark.parametrize("name", sorted(set(Settings.model_fields) - {"cost"}))
def test_every_setting_error_is_in_our_words(monkeypatch, tmp_path: Path, name: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({name: _bad_value(name, Settings.model_fields[name])}))
    monkeypatch.setenv("COST_AGENT_CONFIG", str(config))
    monkeypatch.delenv(name.upper(), raising=False)  # the environment wins over the file
    with pytest.raises(ConfigError) as error:
        load_settings()
    line = str(error.value)
    assert line.startswith(f"{name.upper()}: expected ") and "\n" not in line
    assert not any(word in line for word in PYDANTIC_WORDS), line


@pytest.mark.parametrize("name", sorted(set(CostSettings.model_fields) - {"log_file"}))
def test_every_cost_setting_error_is_in_our_words(monkeypatch, name: str) -> None:
    monkeypatch.setenv(f"COST__{name.upper()}", '{"m": {"input": "lots"}}' if name == "bedrock_model_prices"
                       else "lots")
    with pytest.raises(ConfigError) as error:
        load_settings()
    line = str(error.value)
    assert line.startswith(f"COST__{name.upper()}: expected ") and not any(w in line for w in PYDANTIC_WORDS), line


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        ("AWS_MAX_ATTEMPTS", "abc", "AWS_MAX_ATTEMPTS: expected a whole number between 1 and 20, got 'abc'"),
        ("API_PORT", "70000", "API_PORT: expected a whole number between 1 and 65535, got '70000'"),
        ("PRICING_API", "maybe", "PRICING_API: expected true or false, got 'maybe'"),
        ("AWS_RETRY_MODE", "fast", "AWS_RETRY_MODE: expected one of standard, adaptive, legacy, got 'fast'"),
        ("AWS_CONNECT_TIMEOUT", "0", "AWS_CONNECT_TIMEOUT: expected a number above 0, got '0'"),
        ("RIGHTSIZING_TARGET_CPU", "0", "RIGHTSIZING_TARGET_CPU: expected a number above 0 and at most 100, got '0'"),
        ("CE_REQUESTS_PER_HOUR", "0", "CE_REQUESTS_PER_HOUR: expected a whole number of at least 1, got '0'"),
        ("BEDROCK_REGION", "mars-1", "BEDROCK_REGION: expected an AWS region name such as us-east-1, got 'mars-1'"),
        ("COST_ALLOCATION_TAGS", "team,a'b", "COST_ALLOCATION_TAGS: expected a comma-separated list of tag keys such "
                                             "as env,team,cost-center, got \"team,a'b\""),
        ("COST__REDSHIFT_BASE_RPUS", "x", "COST__REDSHIFT_BASE_RPUS: expected a whole number of at least 1, got 'x'"),
        ("COST__ENABLED", "perhaps", "COST__ENABLED: expected true or false, got 'perhaps'"),
        ("COST", "abc", "COST: expected a JSON object of cost settings such as '{\"bedrock_input_cost_per_1k\": "
                        "0.003}', or one COST__<NAME> variable per setting"),
        ("COST__BEDROCK_MODEL_PRICES", "notjson", "COST__BEDROCK_MODEL_PRICES: expected a JSON object of model id to "
                                                  "prices in USD per 1,000 tokens, such as '{\"MODEL_ID\": "
                                                  "{\"input\": 0.003, \"output\": 0.015}}'"),
    ],
)
def test_setting_errors_say_what_to_set(monkeypatch, variable: str, value: str, line: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value) == line


def test_a_blank_api_key_is_no_key(monkeypatch) -> None:
    monkeypatch.setenv("API_KEY", "  ")
    assert load_settings().api_key is None
    monkeypatch.setenv("API_KEY", "k-1")
    assert load_settings().api_key.get_secret_value() == "k-1"
