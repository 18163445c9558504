output "role_arn" {
  description = "set as role-to-assume in aws-actions/configure-aws-credentials"
  value       = aws_iam_role.ci.arn
}

output "oidc_provider_arn" {
  value = aws_iam_openid_connect_provider.github.arn
}
