"""The many-accounts settings (docs/many-accounts.md): which accounts, the member role, where shards run."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import NoDecode

ACCOUNT_ID = re.compile(r"\d{12}")
ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}")
EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}")


class AccountSettings(BaseModel):
    """Part of `tools.settings.Settings`, read from the same environment and config file."""

    aws_accounts: Annotated[Literal["organization"] | list[str] | None, NoDecode] = Field(
        None, description="unset: the caller's account; 'organization': every ACTIVE account; or account ids")
    aws_org_role_name: str = "OptiInfraCostReadOnly"
    """The read-only role assumed in each member account (arn:aws:iam::<id>:role/<name>)."""
    aws_org_external_id: SecretStr | None = None
    aws_org_session_seconds: int = Field(3600, ge=900, le=43200)
    aws_org_include_management: bool = True
    """With AWS_ACCOUNTS=organization: read the management account too."""
    executor: Literal["inprocess", "celery"] = "inprocess"
    """Where shards (account x region) run: threads in this process, or Celery workers."""
    executor_concurrency: int = Field(8, ge=1, le=256)
    """In-process: shards running at once."""
    executor_shards_per_account: int = Field(2, ge=1, le=64)
    """In-process: shards of one account running at once."""
    aws_calls_in_flight: int = Field(4, ge=1, le=64)
    """Requests in flight to one API of one account and region (where AWS's request limits apply)."""
    executor_timeout_seconds: int = Field(3600, ge=10, le=86400)
    """Celery: how long to wait for all shards of a run."""
    celery_broker_url: SecretStr | None = None
    """Celery's broker: redis://host:port/db or amqp://user:password@host:port/vhost (default: REDIS_URL)."""
    celery_result_backend: SecretStr | None = None
    """Where workers leave shard results: redis://host:port/db (default: the broker when it is Redis, else
    REDIS_URL)."""
    celery_queue: str = Field("optiinfra-shards", pattern=r"^[\w.:-]{1,200}$")

    @field_validator("aws_accounts", mode="before")
    @classmethod
    def _accounts(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str) and value.strip().lower() == "organization":
            return "organization"
        parts = [p.strip() for p in value.split(",")] if isinstance(value, str) else value
        if not isinstance(parts, list | tuple):
            raise ValueError("not a list of account ids")
        ids = [str(p).strip() for p in parts if str(p).strip()]
        if not ids or not all(ACCOUNT_ID.fullmatch(i) for i in ids):
            raise ValueError("not 'organization' nor 12-digit account ids")
        return list(dict.fromkeys(ids))

    @field_validator("aws_org_role_name")
    @classmethod
    def _role_name(cls, value: str) -> str:
        if not ROLE_NAME.fullmatch(value):
            raise ValueError("not an IAM role name")
        return value

    @field_validator("aws_org_external_id")
    @classmethod
    def _external_id(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not EXTERNAL_ID.fullmatch(value.get_secret_value()):
            raise ValueError("not an external id")
        return value

    @field_validator("celery_broker_url", "celery_result_backend")
    @classmethod
    def _celery_url(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        schemes: tuple[str, ...] = ("redis://", "rediss://")
        if info.field_name == "celery_broker_url":
            schemes += ("amqp://", "amqps://", "pyamqp://")
        if not value.get_secret_value().startswith(schemes):
            raise ValueError("unsupported scheme")
        return value
