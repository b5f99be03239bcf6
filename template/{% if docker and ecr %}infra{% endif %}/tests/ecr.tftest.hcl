# `terraform test` (make infra-test): plan-only runs against a mocked AWS
# provider, so they need no credentials and create nothing.

mock_provider "aws" {}

run "repository_keeps_images_as_a_reliable_backup" {
  command = plan

  assert {
    condition     = aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE"
    error_message = "Tags must be immutable, so an image tag always means the same image."
  }

  assert {
    condition     = aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push == true
    error_message = "Every push must be scanned."
  }

  assert {
    condition     = aws_ecr_repository.this.encryption_configuration[0].encryption_type == "KMS"
    error_message = "Images must be encrypted with KMS."
  }

  assert {
    condition     = aws_ecr_repository.this.force_delete == false
    error_message = "Terraform must never delete a repository that still holds images."
  }
}

run "lifecycle_policy_keeps_newest_tagged_and_expires_old_untagged" {
  command = plan

  variables {
    keep_tagged_images   = 7
    untagged_expire_days = 3
  }

  assert {
    condition     = [for rule in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : rule.rulePriority] == [1, 2]
    error_message = "Rules must be written in priority order, with unique priorities."
  }

  assert {
    condition = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[0].selection == {
      tagStatus   = "untagged"
      countType   = "sinceImagePushed"
      countUnit   = "days"
      countNumber = 3
    }
    error_message = "Rule 1 must expire untagged images untagged_expire_days after push."
  }

  assert {
    condition = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[1].selection == {
      tagStatus      = "tagged"
      tagPatternList = ["*"]
      countType      = "imageCountMoreThan"
      countNumber    = 7
    }
    error_message = "Rule 2 must keep the keep_tagged_images newest tagged images."
  }

  assert {
    condition     = alltrue([for rule in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : rule.action == { type = "expire" }])
    error_message = "Every rule must expire images."
  }

  assert {
    condition     = aws_ecr_lifecycle_policy.this.repository == var.repository_name
    error_message = "The policy must be attached to the project's repository."
  }
}

run "customer_managed_kms_key_is_used_when_given" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = aws_ecr_repository.this.encryption_configuration[0].kms_key == var.kms_key_arn
    error_message = "The given KMS key must encrypt the images."
  }
}

run "rejects_keeping_zero_images" {
  command = plan
  variables {
    keep_tagged_images = 0
  }
  expect_failures = [var.keep_tagged_images]
}

run "rejects_a_fractional_image_count" {
  command = plan
  variables {
    keep_tagged_images = 2.5
  }
  expect_failures = [var.keep_tagged_images]
}

run "rejects_zero_days" {
  command = plan
  variables {
    untagged_expire_days = 0
  }
  expect_failures = [var.untagged_expire_days]
}

run "rejects_a_repository_name_with_capitals" {
  command = plan
  variables {
    repository_name = "Sales_Forecast"
  }
  expect_failures = [var.repository_name]
}

run "rejects_a_one_character_repository_name" {
  command = plan
  variables {
    repository_name = "a"
  }
  expect_failures = [var.repository_name]
}

run "rejects_a_region_that_is_not_a_region_code" {
  command = plan
  variables {
    aws_region = "Frankfurt"
  }
  expect_failures = [var.aws_region]
}

run "rejects_a_kms_key_that_is_not_an_arn" {
  command = plan
  variables {
    kms_key_arn = "alias/my-key"
  }
  expect_failures = [var.kms_key_arn]
}

run "rejects_too_long_tag_keys" {
  command = plan
  variables {
    tags = { (join("", [for i in range(129) : "k"])) = "v" }
  }
  expect_failures = [var.tags]
}
