"""A boto3 session from the standard credential chain, optionally assuming `AWS_ROLE_ARN`.

Endpoints are never chosen here: boto3 itself honours `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`.
"""

from __future__ import annotations

import boto3
import botocore.session
from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials

from tools.settings import Settings

ROLE_SESSION_NAME = "optiinfra-cost-agent"


def make_session(settings: Settings) -> boto3.Session:
    """Environment, profile, container or instance credentials; then the role, when one is configured."""
    explicit = {}
    if settings.aws_access_key_id and settings.aws_secret_access_key:
        explicit = {
            "aws_access_key_id": settings.aws_access_key_id.get_secret_value(),
            "aws_secret_access_key": settings.aws_secret_access_key.get_secret_value(),
            "aws_session_token": settings.aws_session_token.get_secret_value() if settings.aws_session_token else None,
        }
    base = boto3.Session(profile_name=settings.aws_profile, region_name=settings.aws_default_region, **explicit)
    if not settings.aws_role_arn:
        return base
    return _assume_role(base, settings)


def _assume_role(base: boto3.Session, settings: Settings) -> boto3.Session:
    extra: dict[str, str] = {"RoleSessionName": ROLE_SESSION_NAME}
    if settings.aws_external_id:
        extra["ExternalId"] = settings.aws_external_id.get_secret_value()
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=base._session.create_client,
        source_credentials=base.get_credentials(),
        role_arn=settings.aws_role_arn,
        extra_args=extra,
    )
    credentials = DeferredRefreshableCredentials(method="assume-role", refresh_using=fetcher.fetch_credentials)
    core = botocore.session.Session(profile=settings.aws_profile)
    core._credentials = credentials
    return boto3.Session(botocore_session=core, region_name=settings.aws_default_region)
