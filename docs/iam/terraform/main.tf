# OptiInfra Cost Agent across an organization (docs/many-accounts.md).
# In each member account (one provider per account, or through your account factory): the read-only role.
# In the account the agent runs in, with create_caller_policy = true: the policy its principal needs to list the
# organization and assume that role; attach it next to docs/iam-policy.json.

terraform {
  required_version = ">= 1.3"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

data "aws_partition" "current" {}

locals {
  member_read_actions = [
    "autoscaling:DescribeAutoScalingGroups",
    "cloudwatch:GetMetricData",
    "ec2:DescribeAddresses",
    "ec2:DescribeImages",
    "ec2:DescribeInstances",
    "ec2:DescribeNatGateways",
    "ec2:DescribeRegions",
    "ec2:DescribeSnapshots",
    "ec2:DescribeVolumes",
    "lambda:ListFunctions",
    "rds:DescribeDBInstances",
    "rds:DescribeDBSnapshots",
    "s3:GetBucketLocation",
    "s3:GetLifecycleConfiguration",
    "s3:ListAllMyBuckets",
    "s3:ListBucketMultipartUploads",
    "s3:ListMultipartUploadParts",
  ]
  caller_org_actions = [
    "organizations:ListAccounts",
    "organizations:DescribeOrganization",
  ]
  trusted = coalesce(var.trusted_principal_arn, "arn:${data.aws_partition.current.partition}:iam::${var.trusted_account_id}:root")
}

data "aws_iam_policy_document" "trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [local.trusted]
    }
    dynamic "condition" {
      for_each = var.external_id == null ? [] : [var.external_id]
      content {
        test     = "StringEquals"
        variable = "sts:ExternalId"
        values   = [condition.value]
      }
    }
  }
}

data "aws_iam_policy_document" "member_read" {
  statement {
    sid       = "InventoryAndUtilizationRead"
    effect    = "Allow"
    actions   = local.member_read_actions
    resources = ["*"]
  }
}

resource "aws_iam_role" "member" {
  count                = var.create_member_role ? 1 : 0
  name                 = var.role_name
  description          = "Read-only inventory and utilization for the OptiInfra Cost Agent"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_duration
}

resource "aws_iam_role_policy" "member_read" {
  count  = var.create_member_role ? 1 : 0
  name   = "OptiInfraCostRead"
  role   = aws_iam_role.member[0].id
  policy = data.aws_iam_policy_document.member_read.json
}

data "aws_iam_policy_document" "caller" {
  statement {
    sid       = "ListTheOrganizationsAccounts"
    effect    = "Allow"
    actions   = local.caller_org_actions
    resources = ["*"]
  }
  statement {
    sid       = "AssumeTheMemberRole"
    effect    = "Allow"
    actions   = ["sts:AssumeRole"]
    resources = ["arn:${data.aws_partition.current.partition}:iam::*:role/${var.role_name}"]
  }
}

resource "aws_iam_policy" "caller" {
  count       = var.create_caller_policy ? 1 : 0
  name        = "OptiInfraCostOrganizationCaller"
  description = "List the organization's accounts and assume the OptiInfra Cost Agent's member role"
  policy      = data.aws_iam_policy_document.caller.json
}

output "member_role_arn" {
  value = var.create_member_role ? aws_iam_role.member[0].arn : null
}

output "caller_policy_arn" {
  value = var.create_caller_policy ? aws_iam_policy.caller[0].arn : null
}
