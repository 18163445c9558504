variable "aws_region" {
  description = "AWS region of the role's session endpoint"
  type        = string
  default     = "af-south-1"
}

variable "github_repository" {
  description = "owner/name of the repository whose workflows may assume the role"
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "role_name" {
  description = "name of the IAM role CI assumes"
  type        = string
  default     = "hotpass-ci"
}

variable "artifact_bucket_arn" {
  description = "ARN of the S3 bucket release artefacts (PEX, SBOM) are copied to"
  type        = string
}
