variable "trusted_account_id" {
  description = "The account the agent runs in (the management or a delegated administrator account)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.trusted_account_id))
    error_message = "trusted_account_id is a 12-digit AWS account id."
  }
}

variable "trusted_principal_arn" {
  description = "The agent's own role or user in trusted_account_id (recommended); null trusts that account."
  type        = string
  default     = null
}

variable "external_id" {
  description = "The agent's AWS_ORG_EXTERNAL_ID; null for none."
  type        = string
  default     = null
  sensitive   = true
}

variable "role_name" {
  description = "The agent's AWS_ORG_ROLE_NAME."
  type        = string
  default     = "OptiInfraCostReadOnly"
}

variable "max_session_duration" {
  description = "Seconds; at least the agent's AWS_ORG_SESSION_SECONDS."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "max_session_duration is between 3600 and 43200 seconds."
  }
}

variable "create_member_role" {
  description = "Create the read-only role in this account (a member, or the management account when the agent runs in a delegated administrator)."
  type        = bool
  default     = true
}

variable "create_caller_policy" {
  description = "Create the policy the agent's principal needs in the account it runs in: list the organization, assume the member role."
  type        = bool
  default     = false
}
