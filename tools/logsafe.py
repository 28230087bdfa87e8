"""Logging that never prints a credential: every handler we install scrubs secrets before writing."""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import IO, Any

from pydantic import SecretStr

_PATTERNS = [
    (re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), "<access-key-id>"),
    (re.compile(r"Credential=[^,\s]+"), "Credential=<redacted>"),
    (re.compile(r"Signature=[0-9a-fA-F]+"), "Signature=<redacted>"),
    (re.compile(r"(?i)(x-amz-security-token['\"]?\s*[:=]\s*['\"]?)[^'\",\s}]+"), r"\1<redacted>"),
    (re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer\s+)?)[^'\",}]+"), r"\1<redacted>"),
    (re.compile(r"(?i)(x-api-key['\"]?\s*[:=]\s*['\"]?)[^'\",\s}]+"), r"\1<redacted>"),
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+@"), r"\1<redacted>@"),
]


class RedactingFilter(logging.Filter):
    """Replaces known secret values and credential-shaped strings in the formatted message."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self.secrets = sorted({s for s in (secrets or []) if s and len(s) >= 4}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<redacted>")
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        record.msg = self.scrub(message)
        record.args = None
        return True


def secret_values(settings: Any) -> list[str]:
    """Every secret the settings hold, as plain strings, for the filter to look for."""
    found: list[str] = []
    for name in type(settings).model_fields:
        value = getattr(settings, name, None)
        if isinstance(value, SecretStr):
            raw = value.get_secret_value()
            found.append(raw)
            found.extend(re.findall(r"://[^:/@\s]+:([^@\s]+)@", raw))
    return found


def configure_logging(
    level: int | str = logging.INFO, settings: Any = None, stream: IO[str] | None = None
) -> logging.Handler:
    """Install one scrubbing handler on the root logger (replacing ours from an earlier call)."""
    secrets = secret_values(settings) if settings is not None else []
    env_secrets = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID", "API_KEY")
    secrets += [os.environ.get(v, "") for v in env_secrets]
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    handler.set_name("optiinfra-redacting")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "optiinfra-redacting"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
