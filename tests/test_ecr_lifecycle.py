"""The lifecycle evaluator reproduces the worked examples in AWS's documentation.

Each case is a repository and a policy from "Examples of lifecycle policies"
(Amazon ECR User Guide), with the images the documentation says expire. The
listed images are pushed in order, so where two share a day the later one is
the newer.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from support.ecr_lifecycle import Image, expired_images

NOW = datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc)


def pushed(days_ago: float, *tags: str, name: str) -> Image:
    return Image(name=name, pushed_at=NOW - timedelta(days=days_ago), tags=tags)


def rule(priority: int, count_type: str, number: int, status: str = "tagged", **lists):
    selection = {"tagStatus": status, **lists, "countType": count_type, "countNumber": number}
    if count_type == "sinceImagePushed":
        selection["countUnit"] = "days"
    return {"rulePriority": priority, "selection": selection, "action": {"type": "expire"}}


BETA_PROD_REPOSITORY = [
    pushed(10, "beta-1", "prod-1", name="A"),
    pushed(9, "beta-2", "prod-2", name="B"),
    pushed(8, "beta-3", name="C"),
]

DOCUMENTED_EXAMPLES = {
    "filtering on image age: untagged older than 14 days": (
        [rule(1, "sinceImagePushed", 14, status="untagged")],
        [pushed(20, name="old"), pushed(13, name="young"), pushed(30, "v1", name="tagged")],
        {"old"},
    ),
    "filtering on image count: keep one untagged image": (
        [rule(1, "imageCountMoreThan", 1, status="untagged")],
        [pushed(3, name="a"), pushed(2, name="b"), pushed(1, name="c"), pushed(5, "v1", name="t")],
        {"a", "b"},
    ),
    "multiple rules, example A: prod first, then beta": (
        [
            rule(1, "imageCountMoreThan", 1, tagPrefixList=["prod"]),
            rule(2, "imageCountMoreThan", 1, tagPrefixList=["beta"]),
        ],
        BETA_PROD_REPOSITORY,
        {"A"},
    ),
    "multiple rules, example A with tag patterns": (
        [
            rule(1, "imageCountMoreThan", 1, tagPatternList=["prod*"]),
            rule(2, "imageCountMoreThan", 1, tagPatternList=["beta*"]),
        ],
        BETA_PROD_REPOSITORY,
        {"A"},
    ),
    "multiple rules, example B: beta first, then prod": (
        [
            rule(1, "imageCountMoreThan", 1, tagPrefixList=["beta"]),
            rule(2, "imageCountMoreThan", 1, tagPrefixList=["prod"]),
        ],
        BETA_PROD_REPOSITORY,
        {"A", "B"},
    ),
    "multiple tags in one rule, example A: both prefixes, older than 5 days": (
        [rule(1, "sinceImagePushed", 5, tagPrefixList=["alpha", "beta"])],
        [
            pushed(12, "alpha-1", name="A"),
            pushed(11, "beta-1", name="B"),
            pushed(10, "alpha-2", "beta-2", name="C"),
            pushed(4, "alpha-3", name="D"),
            pushed(3, "beta-3", name="E"),
            pushed(2, "alpha-4", "beta-4", name="F"),
        ],
        {"C"},
    ),
    "multiple tags in one rule, example B: tags are not exclusive": (
        [rule(1, "imageCountMoreThan", 1, tagPrefixList=["alpha", "beta"])],
        [
            pushed(10, "alpha-1", "beta-1", "gamma-1", name="A"),
            pushed(9, "alpha-2", "beta-2", name="B"),
            pushed(8, "alpha-3", "beta-3", "gamma-2", name="C"),
        ],
        {"A", "B"},
    ),
    "all images, example A: keep only the newest": (
        [rule(1, "imageCountMoreThan", 1, status="any")],
        [
            pushed(4, "alpha-1", name="A"),
            pushed(3, "beta-1", name="B"),
            pushed(2, name="C"),
            pushed(1, "alpha-2", name="D"),
        ],
        {"A", "B", "C"},
    ),
    "all images, example B: every rule type in one policy": (
        [
            rule(1, "imageCountMoreThan", 1, tagPrefixList=["alpha"]),
            rule(2, "sinceImagePushed", 1, status="untagged"),
            rule(3, "imageCountMoreThan", 1, status="any"),
        ],
        [
            pushed(4, "alpha-1", "beta-1", name="A"),
            pushed(3, name="B"),
            pushed(2, "alpha-2", name="C"),
            pushed(1 + 1 / 24, "git hash", name="D"),
            pushed(1, name="E"),
        ],
        {"A", "B", "D"},
    ),
}


@pytest.mark.parametrize("example", sorted(DOCUMENTED_EXAMPLES))
def test_evaluator_agrees_with_the_documented_example(example):
    rules, images, documented_result = DOCUMENTED_EXAMPLES[example]
    assert expired_images({"rules": rules}, images, NOW) == documented_result


def test_rule_order_in_the_list_does_not_matter_only_priority_does():
    rules, images, documented_result = DOCUMENTED_EXAMPLES[
        "multiple rules, example B: beta first, then prod"
    ]
    assert expired_images({"rules": list(reversed(rules))}, images, NOW) == documented_result


def test_a_wildcard_pattern_matches_inside_tags_and_a_plain_one_matches_whole_tags():
    images = [
        pushed(3, "release-1-rc", name="old-rc"),
        pushed(2, "release-2-rc", name="new-rc"),
        pushed(1, "release-2", name="final"),
    ]
    wildcard = {"rules": [rule(1, "imageCountMoreThan", 1, tagPatternList=["release-*-rc"])]}
    assert expired_images(wildcard, images, NOW) == {"old-rc"}
    exact = {"rules": [rule(1, "imageCountMoreThan", 1, tagPatternList=["release"])]}
    assert expired_images(exact, images, NOW) == set()
