output "repository_url" {
  description = "Where to push the image: docker tag <image> <repository_url>:<git sha>."
  value       = aws_ecr_repository.this.repository_url
}

output "repository_arn" {
  description = "ARN of the repository, for IAM policies."
  value       = aws_ecr_repository.this.arn
}

output "repository_name" {
  description = "Name of the repository."
  value       = aws_ecr_repository.this.name
}

output "lifecycle_policy" {
  description = "The lifecycle policy JSON, as sent to ECR."
  value       = local.lifecycle_policy
}
