"""The simulated account inside a command's own process (`cost-agent demo`, `cost-agent serve --sandbox`), with the
environment pointing every AWS client at it and only at it."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from tools.settings import get_settings

if TYPE_CHECKING:
    from tools.sandbox.core import Sandbox

STREAMING_LOGGER = "langchain_aws.chat_models.bedrock_converse"
# What would sign the agent's calls with the user's own credentials, or send them past the simulated account.
_ELSEWHERE = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN",
              "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_USE_FIPS_ENDPOINT",
              "AWS_USE_DUALSTACK_ENDPOINT")
DEMO_MODEL_ID = "sandbox.simulated-narrator-v1"


class _KnownStreamingNotice(logging.Filter):
    """Drops langchain-aws's "Streaming disabled for model 'sandbox....'" warning. The demo's narrator is the
    sandbox's stand-in for Bedrock, whose made-up provider langchain-aws cannot know; the narration is one
    non-streaming Converse call anyway, so the warning says nothing the user can act on. Any other model's
    notice still shows."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.getMessage().startswith("Streaming disabled for model")
                    and f"'{DEMO_MODEL_ID}'" in record.getMessage())


def _quiet_known_notices() -> None:
    streaming = logging.getLogger(STREAMING_LOGGER)
    if not any(isinstance(f, _KnownStreamingNotice) for f in streaming.filters):
        streaming.addFilter(_KnownStreamingNotice())


@contextmanager
def simulated_account(scale: int | None = None, seed: int | None = None,
                      service_endpoints: bool = False) -> Iterator[Sandbox]:
    """The simulated account started in this process (as `cost-agent demo` does; `python -m tools.sandbox`'s
    defaults), with `os.environ` pointing every AWS client at it, and only at it, until exit; the settings are
    rebuilt on the way in and out.
    `service_endpoints=True` keeps the caller's AWS_ENDPOINT_URL_<SERVICE> overrides (the demo: one service can be
    pointed elsewhere on purpose, e.g. to see a partial report)"""
    shape: dict[str, Any] = {name: value for name, value in (("scale", scale), ("seed", seed)) if value is not None}
    saved = dict(os.environ)
    try:
        # Before moto is imported: it makes boto3 sessions at import, which a profile not found here would break.
        for name in [n for n in os.environ if n in _ELSEWHERE
                     or (n.startswith("AWS_ENDPOINT_URL_") and not service_endpoints)]:
            del os.environ[name]
        from tools.sandbox.core import Sandbox

        with Sandbox(**shape) as sandbox:
            os.environ.update(sandbox.env)
            # The sandbox's Converse server is a stand-in, not Claude: the report's summary label says so.
            os.environ.setdefault("BEDROCK_MODEL_ID", DEMO_MODEL_ID)
            _quiet_known_notices()
            get_settings.cache_clear()
            yield sandbox
    finally:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()
