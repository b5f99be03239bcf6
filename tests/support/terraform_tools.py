"""Running the rendered project's Terraform on this machine, offline.

The Terraform registry is out of reach here, so Terraform is pointed at a
local copy of the hashicorp/aws provider through its standard provider
installation settings: a CLI configuration file with a `filesystem_mirror`,
passed in TF_CLI_CONFIG_FILE. Nothing about the mirror goes into the
template; a user's own `terraform init` uses the registry as usual.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

# Where a copy of the provider may be found, first match wins. TF_PLUGIN_MIRROR
# names one explicitly; the others are Terraform's own implicit mirror folders
# plus /opt/tf-plugins, where this machine kind keeps it.
MIRROR_CANDIDATES = [
    os.environ.get("TF_PLUGIN_MIRROR", ""),
    "/opt/tf-plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
]
AWS_PROVIDER = Path("registry.terraform.io/hashicorp/aws")

# A test-only provider configuration for plans that reach no AWS API: fake
# credentials and no calls to STS or the metadata service. Written into the
# rendered project as an *_override.tf file, which Terraform merges into the
# provider block of versions.tf; the template itself never has it.
OFFLINE_PROVIDER_OVERRIDE = """\
provider "aws" {
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
"""


def local_aws_api_override(endpoint: str) -> str:
    """Provider settings for a local AWS API (moto) at `endpoint`, fake credentials."""
    return f"""\
provider "aws" {{
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {{
    ecr = "{endpoint}"
    kms = "{endpoint}"
    sts = "{endpoint}"
  }}
}}
"""


def find_provider_mirror() -> Path | None:
    for candidate in MIRROR_CANDIDATES:
        if candidate and (Path(candidate).expanduser() / AWS_PROVIDER).is_dir():
            return Path(candidate).expanduser()
    return None


def write_cli_config(folder: Path, mirror: Path) -> Path:
    config = folder / "terraform-offline.tfrc"
    config.write_text(
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/hashicorp/*"]\n'
        "  }\n"
        "}\n"
    )
    return config


def terraform_env(base: Mapping[str, str], cli_config: Path) -> dict[str, str]:
    env = {key: value for key, value in base.items() if not key.startswith("AWS_")}
    env.update(
        TF_CLI_CONFIG_FILE=str(cli_config),
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
        # Never fall back to a real account's credentials or instance role.
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        NO_COLOR="1",
    )
    return env


def terraform_binary() -> str | None:
    return shutil.which("terraform")
