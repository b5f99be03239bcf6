"""The documented rules an ECR lifecycle policy must obey, as a checker.

ECR rejects a policy that breaks them when it is put on a repository, which
is the worst moment to find out (mid-apply, in someone's AWS account). So the
tests check the policy Terraform plans against the same rules offline.

Sources (Amazon ECR User Guide): "Lifecycle policy properties" (fields, types,
which field needs or forbids which), "Lifecycle policy evaluation rules"
(one rule per untagged selection, unique tag prefixes, `any` last) and
"Amazon ECR service quotas" (at most 50 rules; the PutLifecyclePolicy API
takes 100 to 30,720 characters of policy text).
"""

from __future__ import annotations

import json
from typing import Any

MIN_POLICY_CHARS = 100
MAX_POLICY_CHARS = 30_720
MAX_RULES = 50
MAX_WILDCARDS_PER_PATTERN = 4

RULE_KEYS = {"rulePriority", "description", "selection", "action"}
SELECTION_KEYS = {
    "tagStatus",
    "tagPrefixList",
    "tagPatternList",
    "countType",
    "countUnit",
    "countNumber",
}
TAG_STATUSES = {"tagged", "untagged", "any"}
COUNT_TYPES = {"imageCountMoreThan", "sinceImagePushed"}


def problems(policy_text: str) -> list[str]:
    """Every documented rule the policy breaks, in words; [] when it is valid."""
    found: list[str] = []
    if not MIN_POLICY_CHARS <= len(policy_text) <= MAX_POLICY_CHARS:
        found.append(
            f"policy is {len(policy_text)} characters; ECR accepts "
            f"{MIN_POLICY_CHARS} to {MAX_POLICY_CHARS}"
        )
    try:
        policy = json.loads(policy_text)
    except json.JSONDecodeError as error:
        return [*found, f"policy is not JSON: {error}"]
    found += _nulls(policy, "policy")
    if not isinstance(policy, dict) or set(policy) != {"rules"}:
        return [*found, 'policy must be an object with exactly one key, "rules"']
    rules = policy["rules"]
    if not isinstance(rules, list) or not rules:
        return [*found, '"rules" must be a non-empty list']
    if len(rules) > MAX_RULES:
        found.append(f"{len(rules)} rules; ECR accepts at most {MAX_RULES}")
    for index, rule in enumerate(rules):
        found += _rule_problems(index, rule)
    if not found:
        found += _policy_wide_problems(rules)
    return found


def _nulls(value: Any, where: str) -> list[str]:
    if value is None:
        return [f"{where} is null; leave the field out instead"]
    if isinstance(value, dict):
        return [issue for key, item in value.items() for issue in _nulls(item, f"{where}.{key}")]
    if isinstance(value, list):
        return [issue for i, item in enumerate(value) for issue in _nulls(item, f"{where}[{i}]")]
    return []


def _is_positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _rule_problems(index: int, rule: Any) -> list[str]:
    where = f"rules[{index}]"
    if not isinstance(rule, dict):
        return [f"{where} must be an object"]
    found = [f"{where} has unknown field {key!r}" for key in sorted(set(rule) - RULE_KEYS)]
    for key in ("rulePriority", "selection", "action"):
        if key not in rule:
            found.append(f"{where} lacks the required {key!r}")
    if "rulePriority" in rule and not _is_positive_int(rule["rulePriority"]):
        found.append(f"{where}.rulePriority must be a positive integer")
    if "description" in rule and not isinstance(rule["description"], str):
        found.append(f"{where}.description must be a string")
    if "action" in rule and rule["action"] != {"type": "expire"}:
        found.append(f'{where}.action must be {{"type": "expire"}}')
    selection = rule.get("selection")
    if "selection" in rule and not isinstance(selection, dict):
        found.append(f"{where}.selection must be an object")
    elif isinstance(selection, dict):
        found += _selection_problems(f"{where}.selection", selection)
    return found


def _selection_problems(where: str, selection: dict[str, Any]) -> list[str]:
    found = [
        f"{where} has unknown field {key!r}" for key in sorted(set(selection) - SELECTION_KEYS)
    ]
    status = selection.get("tagStatus")
    if status not in TAG_STATUSES:
        found.append(f"{where}.tagStatus must be one of tagged, untagged, any")
    has_lists = [key for key in ("tagPrefixList", "tagPatternList") if key in selection]
    for key in has_lists:
        items = selection[key]
        if not (isinstance(items, list) and items and all(isinstance(i, str) and i for i in items)):
            found.append(f"{where}.{key} must be a non-empty list of non-empty strings")
    if status == "tagged" and not has_lists:
        found.append(f"{where}: a tagged rule needs a tagPrefixList or a tagPatternList")
    if status == "tagged" and len(has_lists) == 2:
        found.append(f"{where}: give a tagPrefixList or a tagPatternList, not both")
    if status in ("untagged", "any") and has_lists:
        found.append(f"{where}: an {status} rule must not have a tag list")
    for pattern in selection.get("tagPatternList") or []:
        if isinstance(pattern, str) and pattern.count("*") > MAX_WILDCARDS_PER_PATTERN:
            found.append(f"{where}.tagPatternList {pattern!r} has more than 4 wildcards")
    count_type = selection.get("countType")
    if count_type not in COUNT_TYPES:
        found.append(f"{where}.countType must be imageCountMoreThan or sinceImagePushed")
    if count_type == "sinceImagePushed" and selection.get("countUnit") != "days":
        found.append(f'{where}: sinceImagePushed needs "countUnit": "days"')
    if count_type == "imageCountMoreThan" and "countUnit" in selection:
        found.append(f"{where}: countUnit is only allowed with sinceImagePushed")
    if not _is_positive_int(selection.get("countNumber")):
        found.append(f"{where}.countNumber must be a positive integer (0 is not accepted)")
    return found


def _policy_wide_problems(rules: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    priorities = [rule["rulePriority"] for rule in rules]
    if len(set(priorities)) != len(priorities):
        found.append(f"rulePriority values must be unique, got {priorities}")
    any_rules = [rule for rule in rules if rule["selection"]["tagStatus"] == "any"]
    if len(any_rules) > 1:
        found.append('at most one rule can have "tagStatus": "any" (it must be the last)')
    if any_rules and any_rules[0]["rulePriority"] != max(priorities):
        found.append('a rule with "tagStatus": "any" must have the highest rulePriority')
    untagged = [rule for rule in rules if rule["selection"]["tagStatus"] == "untagged"]
    if len(untagged) > 1:
        found.append("only one rule may select untagged images")
    tag_sets = [
        (key, tuple(sorted(rule["selection"][key])))
        for rule in rules
        for key in ("tagPrefixList", "tagPatternList")
        if key in rule["selection"]
    ]
    if len(set(tag_sets)) != len(tag_sets):
        found.append("each tagged rule must select a different set of tag prefixes or patterns")
    return found
