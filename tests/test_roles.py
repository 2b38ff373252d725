"""Every role's meta/argument_specs.yml matches its defaults, and every default is prefixed with the role's name."""

from pathlib import Path

import pytest
import yaml

ROLES = sorted(p for p in (Path(__file__).resolve().parents[1] / "roles").iterdir() if p.is_dir())


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_argument_specs_match_defaults(role):
    defaults = load(role / "defaults" / "main.yml")
    options = load(role / "meta" / "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert set(options) == set(defaults), "variables in one file but not the other"
    for name, spec in options.items():
        assert spec.get("description"), f"{name} has no description"
        assert "default" in spec, f"{name} has no default in the spec"
        assert spec["default"] == defaults[name], f"{name}: spec default {spec['default']!r} != {defaults[name]!r}"


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_defaults_are_prefixed_and_commented(role):
    text = (role / "defaults" / "main.yml").read_text().splitlines()
    for i, line in enumerate(text):
        if line and not line.startswith((" ", "#", "-")):
            name = line.split(":", 1)[0]
            assert name.startswith(role.name + "_"), f"{name} is not prefixed with {role.name}_"
            assert text[i - 1].startswith("#"), f"{name} has no comment above it"


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_templates_are_marked_managed(role):
    for template in (role / "templates").glob("*.j2") if (role / "templates").is_dir() else []:
        assert "{{ ansible_managed }}" in template.read_text(), template
