"""What the scenarios in tests/ share that is not a fixture (fixtures are in
tests/conftest.py). One home for each:

- project.py: the template's answers and `render`, the one way a test renders
  the template (with locks put in, from another template repository or ref);
  `copier_cli` for the command line a user types;
- commands.py: running commands as a user's shell would (`run`, `make`);
- lock_files.py: reading and checking a project's lock files;
- git.py: git with a test identity, and a project's first commit;
- ci.py: "needed in CI, skipped here with the reason";
- images.py: the images the Docker tests build (tags, build arguments,
  running a command in one) and whether Docker is there to build them;
- docker_base_image.py, act_runner_image.py: the stand-in images built from
  Debian packages (no registry is reachable);
- terraform_tools.py: Terraform pointed at a local provider mirror;
- ecr_policy_rules.py, ecr_lifecycle.py: ECR's documented policy rules and
  lifecycle evaluation, offline;
- workflow_checks.py: the workflow linters (schema, actionlint, zizmor).

Tests import them as `from support.project import render` (pytest puts
tests/ on sys.path: `pythonpath` in pyproject.toml).
"""
