"""What ECR would expire: the documented lifecycle evaluation, offline.

Implements the "Lifecycle policy evaluation rules" of the Amazon ECR User
Guide, so the tests can show what the generated policy does to a history of
pushed images without an AWS account:

- rules run in rulePriority order, lowest first;
- a rule *identifies* the images its selection matches (tagStatus, and every
  entry of tagPrefixList / tagPatternList matching at least one of the
  image's tags);
- imageCountMoreThan N: of the identified images, newest first, all but the
  first N are candidates; sinceImagePushed D days: identified images pushed
  more than D days ago are candidates (oldest first either way);
- identified images count for a rule even if a higher-priority rule already
  saw them, but a rule never expires an image a higher-priority rule
  identified, so each image is expired by one rule or none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Image:
    name: str
    pushed_at: datetime
    tags: tuple[str, ...] = field(default=())


def _pattern_matches(pattern: str, tag: str) -> bool:
    # `*` is the only wildcard ECR knows; everything else is literal.
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, tag) is not None


def _identifies(selection: Mapping[str, Any], image: Image) -> bool:
    status = selection["tagStatus"]
    if status == "untagged":
        return not image.tags
    if status == "any":
        return True
    if not image.tags:
        return False
    prefixes = selection.get("tagPrefixList", [])
    patterns = selection.get("tagPatternList", [])
    return all(any(tag.startswith(p) for tag in image.tags) for p in prefixes) and all(
        any(_pattern_matches(p, tag) for tag in image.tags) for p in patterns
    )


def _candidates(
    selection: Mapping[str, Any], identified: list[Image], now: datetime
) -> list[Image]:
    newest_first = sorted(identified, key=lambda image: image.pushed_at, reverse=True)
    if selection["countType"] == "imageCountMoreThan":
        chosen = newest_first[selection["countNumber"] :]
    else:
        assert selection["countUnit"] == "days"
        limit = timedelta(days=selection["countNumber"])
        chosen = [image for image in newest_first if now - image.pushed_at > limit]
    return list(reversed(chosen))


def expired_images(policy: Mapping[str, Any], images: Iterable[Image], now: datetime) -> set[str]:
    """Names of the images the policy expires at `now`."""
    images = list(images)
    seen: set[str] = set()
    expired: set[str] = set()
    for rule in sorted(policy["rules"], key=lambda rule: rule["rulePriority"]):
        selection = rule["selection"]
        identified = [image for image in images if _identifies(selection, image)]
        for image in _candidates(selection, identified, now):
            if image.name not in seen:
                expired.add(image.name)
        seen.update(image.name for image in identified)
    return expired
