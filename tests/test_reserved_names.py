"""The package-name validator knows every keyword and stdlib module of this Python."""

import keyword
import sys

import yaml
from support.project import TEMPLATE_ROOT


def test_reserved_names_cover_the_running_python():
    spec = yaml.safe_load((TEMPLATE_ROOT / "includes" / "reserved-names.yml").read_text())
    reserved = set(spec["python_reserved_names"]["default"])
    public_modules = {name for name in sys.stdlib_module_names if not name.startswith("_")}
    assert public_modules - reserved == set()
    assert set(keyword.kwlist) - reserved == set()
