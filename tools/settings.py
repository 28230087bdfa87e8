"""One settings class for the whole product, read from the environment, `.env` and `config.yaml`.

A bad value raises `ConfigError` with one line naming the variable and the form it expects;
the command line turns it into exit code 2.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from croniter import croniter
from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict, SettingsError

from tools.regions import KNOWN_REGIONS, known_region
from tools.settings_accounts import AccountSettings
from tools.settings_words import describe

APP_NAME = "optiinfra-cost-agent"


class ConfigError(ValueError):
    """A setting has a value the program cannot use; the message is one line that says what to fix."""


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_NAME


class CostSettings(BaseModel):
    """The seed's `cost:` block: prices the agent uses to bill itself."""

    enabled: bool = True
    log_file: str = "logs/cost_tracking.log"
    bedrock_input_cost_per_1k: float = Field(0.003, ge=0)
    bedrock_output_cost_per_1k: float = Field(0.015, ge=0)
    redshift_rpu_cost_per_hour: float = Field(0.36, ge=0)
    redshift_base_rpus: int = Field(8, ge=1)
    lambda_cost_per_gb_second: float = Field(0.0000166667, ge=0)
    # Per-model Bedrock prices (USD per 1,000 tokens) override the two defaults above for that model id.
    bedrock_model_prices: dict[str, dict[str, float]] = Field(default_factory=dict)


# What each variable expects, quoted in the error line.
EXPECTED = {
    "aws_regions": "a comma-separated list of AWS region names such as us-east-1,eu-west-1",
    "aws_default_region": "an AWS region name such as us-east-1",
    "aws_collection_schedule": "a five-field cron expression such as '0 6 * * *'",
    "aws_idle_cpu_threshold": "a number between 0 and 100 (percent)",
    "aws_underutilized_cpu_threshold": "a number between 0 and 100 (percent)",
    "aws_spot_savings_target": "a number between 0 and 100 (percent)",
    "aws_cost_lookback_days": "a whole number of days between 1 and 395",
    "clickhouse_url": "http(s)://user:password@host:port/database",
    "redis_url": "redis://host:port/db",
    "database_url": "postgresql://user@host:port/database",
    "bedrock_region": "an AWS region name such as us-east-1",
    "cost_allocation_tags": "a comma-separated list of tag keys such as env,team,cost-center",
    "cost": "a JSON object of cost settings such as '{\"bedrock_input_cost_per_1k\": 0.003}', "
            "or one COST__<NAME> variable per setting",
    "bedrock_model_prices": "a JSON object of model id to prices in USD per 1,000 tokens, such as "
                            "'{\"MODEL_ID\": {\"input\": 0.003, \"output\": 0.015}}'",
    "aws_accounts": "'organization', or a comma-separated list of 12-digit AWS account ids such as "
                    "111122223333,444455556666",
    "aws_org_role_name": "an IAM role name (letters, digits and +=,.@_-, at most 64 characters)",
    "aws_org_external_id": "2 to 1224 characters of letters, digits and +=,.@:/-_",
    "aws_org_session_seconds": "a whole number of seconds between 900 and 43200",
    "celery_broker_url": "redis://host:port/db or amqp://user:password@host:port/vhost",
    "celery_result_backend": "redis://host:port/db",
}
TAG_KEY = re.compile(r"[\w .:/=+\-@]{1,128}")
"""A tag key as AWS allows it (use `fullmatch`): letters, digits, spaces and _ . : / = + - @, at most 128."""


SECRET_FIELDS = {
    "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_external_id",
    "clickhouse_url", "redis_url", "database_url", "api_key",
    "aws_org_external_id", "celery_broker_url", "celery_result_backend",
}


class _YamlSource(PydanticBaseSettingsSource):
    """Reads `config.yaml` (or the file named by COST_AGENT_CONFIG); top-level keys are setting names."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = Path(os.environ.get("COST_AGENT_CONFIG", "config.yaml"))
        if not path.is_file():
            return {}
        try:
            data = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from exc
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping of setting names to values")
        return {str(k).lower(): v for k, v in data.items()}


class Settings(BaseSettings, AccountSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_nested_delimiter="__")

    # --- AWS access (the seed's) ---
    aws_access_key_id: SecretStr | None = None
    aws_secret_access_key: SecretStr | None = None
    aws_session_token: SecretStr | None = None
    aws_profile: str | None = None
    aws_default_region: str = "us-east-1"
    aws_regions: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="empty: the account's enabled regions"
    )
    aws_role_arn: str | None = None
    aws_external_id: SecretStr | None = None
    aws_retry_mode: Literal["standard", "adaptive", "legacy"] = "standard"
    aws_max_attempts: int = Field(5, ge=1, le=20)
    aws_connect_timeout: float = Field(5.0, gt=0)
    aws_read_timeout: float = Field(60.0, gt=0)
    collection_concurrency: int = Field(8, ge=1, le=64)
    ce_requests_per_hour: int = Field(400, ge=1)
    ce_cache_ttl_seconds: int = Field(3600, ge=0)

    # --- analysis (the seed's thresholds and ours) ---
    aws_cost_lookback_days: int = Field(30, ge=1, le=395)
    aws_idle_cpu_threshold: float = Field(5.0, ge=0, le=100)
    aws_underutilized_cpu_threshold: float = Field(20.0, ge=0, le=100)
    aws_spot_savings_target: float = Field(35.0, ge=0, le=100)
    aws_collection_schedule: str | None = None
    metrics_lookback_days: int = Field(14, ge=1, le=455)
    idle_network_mb_per_day: float = Field(1.0, ge=0)
    min_data_days: int = Field(7, ge=1)
    snapshot_max_age_days: int = Field(90, ge=1)
    anomaly_threshold_pct: float = Field(20.0, ge=0)
    anomaly_min_dollars: float = Field(5.0, ge=0)
    lambda_error_rate_pct: float = Field(10.0, ge=0, le=100)
    idle_cpu_max_threshold: float = Field(10.0, ge=0, le=100)
    rightsizing_target_cpu: float = Field(60.0, gt=0, le=100)
    steady_running_fraction: float = Field(0.9, ge=0, le=1)
    s3_lifecycle_min_gb: float = Field(50.0, ge=0)
    s3_cold_fraction: float = Field(0.5, ge=0, le=1)
    cost_allocation_tags: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["env", "team", "cost-center"])
    ignore_tag: str = "cost-agent:ignore=true"
    production_tag_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["env", "environment", "stage", "tier", "environment-type", "app-env"],
        description="tag keys (any case) that say which environment a resource belongs to")
    production_tag_values: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["prod", "production", "prd", "live"])
    non_production_tag_values: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["dev", "development", "test", "testing", "staging", "stage", "stg", "qa", "uat",
                                 "sandbox", "nonprod", "non-prod", "preprod", "pre-prod", "demo"])
    stopped_grace_days: int = Field(7, ge=0, le=365)
    """A stopped instance is waste only once it has been stopped this long (a stop an hour ago is maintenance)."""
    rightsizing_memory_target_pct: float = Field(80.0, gt=0, le=100)
    """Highest memory use a rightsizing target may reach (when the CloudWatch agent reports memory)."""
    pricing_api: bool = True
    """EC2 on-demand prices from the AWS Pricing API when reachable (cached 7 days), else the price book."""

    # --- storage, cache, threads ---
    data_dir: Path = Field(default_factory=_default_data_dir)
    clickhouse_url: SecretStr | None = None
    raw_retention_days: int = Field(400, ge=1)
    redis_url: SecretStr | None = None
    database_url: SecretStr | None = None

    # --- LLM ---
    bedrock_model_id: str = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    bedrock_region: str | None = None

    # --- HTTP API ---
    api_key: SecretStr | None = None
    api_host: str = "127.0.0.1"
    api_port: int = Field(8001, ge=1, le=65535)

    # --- Redshift Serverless holding the Cost and Usage Report (optional chat tool) ---
    redshift_workgroup: str | None = None
    redshift_database: str = "dev"
    redshift_cur_table: str = "cur"

    cost: CostSettings = Field(default_factory=CostSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, dotenv_settings, _YamlSource(settings_cls), file_secret_settings

    @field_validator("aws_regions", mode="before")
    @classmethod
    def _split_regions(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("cost_allocation_tags", "production_tag_keys", "production_tag_values",
                     "non_production_tag_values", mode="before")
    @classmethod
    def _split_tags(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("aws_regions")
    @classmethod
    def _known_regions(cls, value: list[str]) -> list[str]:
        unknown = [r for r in value if r not in KNOWN_REGIONS]
        if unknown:
            raise ValueError(f"unknown region {unknown[0]!r}")
        return value

    @field_validator("aws_default_region")
    @classmethod
    def _known_default_region(cls, value: str) -> str:
        return known_region(value)

    @field_validator("bedrock_region")
    @classmethod
    def _known_bedrock_region(cls, value: str | None) -> str | None:
        return None if value in (None, "") else known_region(value)

    @field_validator("api_key")
    @classmethod
    def _blank_key_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        # API_KEY= (empty) would leave the API closed to everyone without saying so; it means "not set"
        return value if value is not None and value.get_secret_value().strip() else None

    @field_validator("cost_allocation_tags")
    @classmethod
    def _tag_keys(cls, value: list[str]) -> list[str]:
        bad = [key for key in value if not TAG_KEY.fullmatch(key)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a tag key")
        return value

    @field_validator("aws_collection_schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if len(value.split()) != 5 or not croniter.is_valid(value):
            raise ValueError(f"{value!r} is not a cron expression")
        return value

    @field_validator("clickhouse_url")
    @classmethod
    def _clickhouse_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("http://", "https://", "chdb://")):
            raise ValueError("unsupported scheme")
        return value

    @property
    def ignore_tag_pair(self) -> tuple[str, str]:
        key, _, value = self.ignore_tag.partition("=")
        return key, value or "true"


def load_settings(**overrides: Any) -> Settings:
    """Build settings; any invalid value becomes a one-line `ConfigError` naming the variable, in our words."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_error_line(exc.errors()[0])) from None
    except SettingsError as exc:  # a variable that must be JSON (COST, COST__BEDROCK_MODEL_PRICES) is not
        found = re.search(r'field "([^"]+)"', str(exc))
        field = found.group(1) if found else "settings"
        variable = field.upper()
        if field == "cost" and "COST__BEDROCK_MODEL_PRICES" in {k.upper() for k in os.environ}:
            field, variable = "bedrock_model_prices", "COST__BEDROCK_MODEL_PRICES"
        raise ConfigError(f"{variable}: expected {EXPECTED.get(field, 'valid JSON')}") from None


def _error_line(err: Any) -> str:
    """'VARIABLE: expected <what>, got <value>'; secrets are named, never echoed."""
    loc = [str(part) for part in err["loc"]]
    field = loc[0] if loc else "settings"
    nested = loc[1] if field == "cost" and len(loc) > 1 else ""
    variable = field.upper() + (f"__{nested.upper()}" if nested else "")
    got = err.get("input")
    shown = not (field in SECRET_FIELDS or isinstance(got, dict | list) or got is None)
    expected = _expected(field, nested)
    return f"{variable}: expected {expected}" + (f", got {str(got)!r}" if shown else "")


def _expected(field: str, nested: str = "") -> str:
    """What a setting accepts, in words: from EXPECTED, else from its type and bounds (never pydantic's text)."""
    if nested:
        info = CostSettings.model_fields.get(nested)
        return EXPECTED.get(nested) or (describe(info) if info else EXPECTED["cost"])
    info = Settings.model_fields.get(field)
    return EXPECTED.get(field) or (describe(info) if info else "a valid value")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
