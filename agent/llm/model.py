"""The chat model: Bedrock Converse, loaded from a model id string, or none at all (and why)."""

from __future__ import annotations

from typing import Any

from botocore.config import Config
from langchain_aws import ChatBedrockConverse
from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable

from tools.aws.session import make_session
from tools.settings import Settings

DISABLED = "none"


def unavailable_reason(settings: Settings) -> str | None:
    """Why no LLM can be used (None when Bedrock is usable): model 'none' or no AWS credentials."""
    if settings.bedrock_model_id.strip().lower() in ("", DISABLED):
        return "no LLM configured"
    try:
        credentials = make_session(settings).get_credentials()
    except Exception as exc:  # a broken profile is "no credentials", said once
        return f"no LLM configured: {type(exc).__name__}"
    if credentials is None:
        return "no LLM configured"
    return None


def make_chat_model(settings: Settings, **kwargs: Any) -> BaseChatModel:
    """`ChatBedrockConverse` for `settings.bedrock_model_id` (built directly: the `langchain` package behind
    `init_chat_model` is not a dependency); endpoints come from the standard
    `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` variable like every other AWS client."""
    session = make_session(settings)
    credentials = session.get_credentials()
    frozen = credentials.get_frozen_credentials() if credentials else None
    config = Config(
        retries={"mode": "standard", "total_max_attempts": 3},
        connect_timeout=settings.aws_connect_timeout,
        read_timeout=settings.aws_read_timeout,
    )
    return ChatBedrockConverse(
        model_id=settings.bedrock_model_id,
        region_name=settings.bedrock_region or settings.aws_default_region,
        aws_access_key_id=frozen.access_key if frozen else None,
        aws_secret_access_key=frozen.secret_key if frozen else None,
        aws_session_token=frozen.token if frozen else None,
        config=config,
        temperature=0,
        **kwargs,
    )


def with_retry(runnable: Runnable) -> Runnable:
    """One retry of the whole call after botocore's own (standard mode, 3 attempts), after a short jittered wait."""
    return runnable.with_retry(stop_after_attempt=2, wait_exponential_jitter=True,
                               exponential_jitter_params={"max": 2.0})


def error_code(exc: BaseException) -> str:
    """The AWS error code of a failed call ('ThrottlingException', 'AccessDeniedException' ...)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return str(code)
    return type(exc).__name__
