# The repository the project's image is pushed to. Old images are the way
# back to a set of pins that worked (pull one, `make freeze-from-image`), so
# a tag is never moved once pushed [1], every push is scanned [2], and nothing here
# can delete the repository while it still holds images.

resource "aws_ecr_repository" "this" {
  name                 = var.repository_name
  image_tag_mutability = "IMMUTABLE"
  force_delete         = false

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn # null: the AWS-managed key for ECR
  }

  tags = var.tags
}

locals {
  # The lifecycle policy is built here and nowhere else [3][4]. ECR stores the rules
  # sorted by rulePriority, so they are written in that order (and with no
  # null fields) to make a second plan show no changes. The two rules select
  # disjoint images: untagged ones expire by age, tagged ones by count.
  lifecycle_rules = [
    {
      rulePriority = 1
      description  = "Expire untagged images ${var.untagged_expire_days} days after push"
      selection = {
        tagStatus   = "untagged"
        countType   = "sinceImagePushed"
        countUnit   = "days"
        countNumber = var.untagged_expire_days
      }
      action = { type = "expire" }
    },
    {
      rulePriority = 2
      description  = "Keep the ${var.keep_tagged_images} newest tagged images"
      selection = {
        tagStatus      = "tagged"
        tagPatternList = ["*"]
        countType      = "imageCountMoreThan"
        countNumber    = var.keep_tagged_images
      }
      action = { type = "expire" }
    },
  ]

  lifecycle_policy = jsonencode({ rules = local.lifecycle_rules })
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name
  policy     = local.lifecycle_policy
}

# References
# [1] Amazon ECR, Preventing image tags from being overwritten:
#     https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
# [2] Amazon ECR, Scan images for OS vulnerabilities (basic scanning):
#     https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-basic.html
# [3] Amazon ECR, Lifecycle policy properties (rulePriority, tagStatus, countType):
#     https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
# [4] Amazon ECR, Examples of lifecycle policies:
#     https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html
