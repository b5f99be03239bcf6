# Versions this configuration is written for. It uses only arguments that
# both the 5.x and the 6.x AWS providers accept, so either can be locked.
terraform {
  required_version = ">= 1.7"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = var.aws_region
}
