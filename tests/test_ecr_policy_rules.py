"""The policy checker accepts valid ECR lifecycle policies and names what is wrong with bad ones."""

from __future__ import annotations

import copy
import json

import pytest
from support.ecr_policy_rules import problems

UNTAGGED_BY_AGE = {
    "rulePriority": 1,
    "description": "Expire untagged images 14 days after push",
    "selection": {
        "tagStatus": "untagged",
        "countType": "sinceImagePushed",
        "countUnit": "days",
        "countNumber": 14,
    },
    "action": {"type": "expire"},
}
TAGGED_BY_COUNT = {
    "rulePriority": 2,
    "description": "Keep the 3 newest tagged images",
    "selection": {
        "tagStatus": "tagged",
        "tagPatternList": ["*"],
        "countType": "imageCountMoreThan",
        "countNumber": 3,
    },
    "action": {"type": "expire"},
}
ANY_BY_COUNT = {
    "rulePriority": 9,
    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 50},
    "action": {"type": "expire"},
}


def text(*rules: dict) -> str:
    return json.dumps({"rules": list(rules)})


def changed(rule: dict, path: str, value: object) -> dict:
    """A copy of rule with one field (dotted path) set, or removed when value is ...."""
    result = copy.deepcopy(rule)
    *parents, last = path.split(".")
    target = result
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return result


@pytest.mark.parametrize(
    "policy",
    [
        text(UNTAGGED_BY_AGE),
        text(UNTAGGED_BY_AGE, TAGGED_BY_COUNT),
        text(UNTAGGED_BY_AGE, TAGGED_BY_COUNT, ANY_BY_COUNT),
        text(
            UNTAGGED_BY_AGE,
            changed(
                changed(TAGGED_BY_COUNT, "selection.tagPatternList", ...),
                "selection.tagPrefixList",
                ["v"],
            ),
        ),
    ],
    ids=["one-rule", "untagged-and-tagged", "with-an-any-rule-last", "prefix-list"],
)
def test_valid_policies_pass(policy):
    assert problems(policy) == []


BAD_POLICIES = {
    "not JSON": ("{" + " " * 120, "not JSON"),
    "too short": ('{"rules": []}', "ECR accepts 100 to 30720"),
    "too long": (
        text(changed(UNTAGGED_BY_AGE, "description", "x" * 31_000)),
        "ECR accepts 100 to 30720",
    ),
    "no rules": ('{"rules": [' + " " * 100 + "]}", '"rules" must be a non-empty list'),
    "extra top-level key": (
        json.dumps({"rules": [UNTAGGED_BY_AGE], "version": 1}),
        'exactly one key, "rules"',
    ),
    "duplicate priority": (
        text(UNTAGGED_BY_AGE, changed(TAGGED_BY_COUNT, "rulePriority", 1)),
        "must be unique",
    ),
    "priority zero": (text(changed(UNTAGGED_BY_AGE, "rulePriority", 0)), "positive integer"),
    "any rule not last": (
        text(changed(ANY_BY_COUNT, "rulePriority", 1), changed(TAGGED_BY_COUNT, "rulePriority", 2)),
        "must have the highest rulePriority",
    ),
    "tagged without a tag list": (
        text(changed(TAGGED_BY_COUNT, "selection.tagPatternList", ...)),
        "needs a tagPrefixList or a tagPatternList",
    ),
    "untagged with a tag list": (
        text(changed(UNTAGGED_BY_AGE, "selection.tagPrefixList", ["v"])),
        "must not have a tag list",
    ),
    "age without countUnit": (
        text(changed(UNTAGGED_BY_AGE, "selection.countUnit", ...)),
        '"countUnit": "days"',
    ),
    "age in hours": (text(changed(UNTAGGED_BY_AGE, "selection.countUnit", "hours")), "days"),
    "count with countUnit": (
        text(changed(TAGGED_BY_COUNT, "selection.countUnit", "days")),
        "only allowed with sinceImagePushed",
    ),
    "count of zero": (
        text(changed(TAGGED_BY_COUNT, "selection.countNumber", 0)),
        "0 is not accepted",
    ),
    "count as a string": (
        text(changed(TAGGED_BY_COUNT, "selection.countNumber", "3")),
        "positive integer",
    ),
    "null field": (text(changed(UNTAGGED_BY_AGE, "description", None)), "is null"),
    "two untagged rules": (
        text(UNTAGGED_BY_AGE, changed(UNTAGGED_BY_AGE, "rulePriority", 2)),
        "only one rule may select untagged",
    ),
    "same tag patterns twice": (
        text(TAGGED_BY_COUNT, changed(TAGGED_BY_COUNT, "rulePriority", 3)),
        "different set of tag prefixes",
    ),
    "five wildcards": (
        text(changed(TAGGED_BY_COUNT, "selection.tagPatternList", ["*a*b*c*d*"])),
        "more than 4 wildcards",
    ),
    "unknown action": (text(changed(UNTAGGED_BY_AGE, "action", {"type": "delete"})), "expire"),
    "misspelled field": (
        text(changed(UNTAGGED_BY_AGE, "selection.tagstatus", "untagged")),
        "unknown field 'tagstatus'",
    ),
    "51 rules": (
        text(
            *[
                changed(
                    changed(TAGGED_BY_COUNT, "rulePriority", n),
                    "selection.tagPatternList",
                    [f"v{n}-*"],
                )
                for n in range(1, 52)
            ]
        ),
        "at most 50",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_POLICIES))
def test_a_policy_breaking_a_documented_rule_is_reported(case):
    policy, expected_words = BAD_POLICIES[case]
    found = problems(policy)
    assert any(expected_words in problem for problem in found), found
