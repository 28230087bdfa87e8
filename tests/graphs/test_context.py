"""Run settings: the Context falls back to Settings, overrides are validated like environment variables,
and the LLM is off with model 'none' or without AWS credentials."""

from __future__ import annotations

import pytest

from agent.graphs.context import Context, base_settings, use_settings
from agent.llm.model import unavailable_reason
from tools.settings import ConfigError, load_settings


def test_context_falls_back_to_settings_and_overrides_them(tmp_path) -> None:
    base = load_settings(data_dir=tmp_path, aws_regions="us-east-1,eu-west-1", aws_cost_lookback_days=30)
    assert Context().settings(base) is base
    run = Context(regions=["eu-west-1"], lookback_days=7, idle_cpu_threshold=2.5, underutilized_cpu_threshold=15,
                  model_id="none").settings(base)
    assert (run.aws_regions, run.aws_cost_lookback_days, run.aws_idle_cpu_threshold,
            run.aws_underutilized_cpu_threshold, run.bedrock_model_id, run.data_dir) == (
        ["eu-west-1"], 7, 2.5, 15.0, "none", tmp_path)
    assert Context.describe()["lookback_days"].startswith("Days of spend in the report period")


def test_bad_overrides_fail_like_bad_environment_variables(tmp_path) -> None:
    base = load_settings(data_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"^AWS_REGIONS: expected a comma-separated list of AWS region names"):
        Context(regions=["moon-1"]).settings(base)
    with pytest.raises(ConfigError, match=r"^AWS_COST_LOOKBACK_DAYS: expected a whole number of days"):
        Context(lookback_days=0).settings(base)


def test_use_settings_sets_the_base_of_every_context(tmp_path) -> None:
    mine = load_settings(data_dir=tmp_path, bedrock_model_id="none")
    with use_settings(mine):
        assert base_settings() is mine
        assert Context().settings().bedrock_model_id == "none"
    assert base_settings() is not mine


def test_llm_is_off_without_a_model_or_without_credentials(monkeypatch, tmp_path) -> None:
    assert unavailable_reason(load_settings(bedrock_model_id="none")) == "no LLM configured"
    assert unavailable_reason(load_settings()) is None
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert unavailable_reason(load_settings()) == "no LLM configured"
