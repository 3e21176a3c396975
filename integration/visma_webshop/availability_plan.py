"""Which articles the availability rules make *Available in Webshop*, and what that changes: pure.

A flag that differs from what Silta last set was changed by a person in eAccounting: it is
reported and left alone (held) until someone lets the rules decide again, never fought.
"""

from dataclasses import dataclass, field


def split_list(text: str) -> tuple[str, ...]:
    """What a person typed as a list: comma-separated or one per line."""
    return tuple(x.strip() for x in text.replace("\n", ",").split(",") if x.strip())


@dataclass(frozen=True)
class Rules:
    only_active: bool = True
    only_stock_items: bool = False
    exclude_services: bool = True
    labels: tuple[str, ...] = ()  # any of these label names (case-insensitive); empty: any article
    excluded_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArticleFacts:
    id: str
    number: str
    name: str
    is_active: bool
    is_stock: bool
    is_service: bool
    labels: tuple[str, ...]
    available: bool  # SendToWebshop as read now


@dataclass(frozen=True)
class Mark:
    available: bool  # what Silta last set or found agreeing
    held_by_hand: bool = False


@dataclass(frozen=True)
class Change:
    article_id: str
    number: str
    name: str
    available: bool  # the new value
    reason: str


@dataclass(frozen=True)
class Held:
    article_id: str
    number: str
    name: str
    available: bool  # as a person set it
    wanted: bool  # what the rules say


@dataclass
class AvailabilityPlan:
    changes: list[Change] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    agree: list[ArticleFacts] = field(default_factory=list)  # already as the rules say
    released: list[str] = field(default_factory=list)  # held articles a person has since set as the rules say

    @property
    def turned_on(self) -> list[Change]:
        return [c for c in self.changes if c.available]

    @property
    def turned_off(self) -> list[Change]:
        return [c for c in self.changes if not c.available]


def why_not(rules: Rules, article: ArticleFacts) -> str:
    """Why the rules keep the article out of the webshop ("" when they put it in)."""
    if article.number.strip().upper() in {n.upper() for n in rules.excluded_numbers}:
        return "its number is on the never-for-sale list"
    if rules.only_active and not article.is_active:
        return "it is inactive"
    if rules.exclude_services and article.is_service:
        return "it is a service article"
    if rules.only_stock_items and not article.is_stock:
        return "it is not a stock article"
    wanted = {x.lower() for x in rules.labels}
    if wanted and not wanted & {x.lower() for x in article.labels}:
        return f"it has none of the labels {', '.join(rules.labels)}"
    return ""


def plan(rules: Rules, articles: list[ArticleFacts], marks: dict[str, Mark]) -> AvailabilityPlan:
    result = AvailabilityPlan()
    for article in articles:
        reason = why_not(rules, article)
        wanted = not reason
        mark = marks.get(article.id)
        if mark is not None and (mark.held_by_hand or mark.available != article.available):
            if article.available == wanted:
                if mark.held_by_hand:
                    result.released.append(article.id)
                result.agree.append(article)
            else:
                result.held.append(Held(article.id, article.number, article.name, article.available, wanted))
            continue
        if article.available == wanted:
            result.agree.append(article)
        else:
            result.changes.append(
                Change(
                    article.id,
                    article.number,
                    article.name,
                    wanted,
                    "the rules put it in the webshop" if wanted else f"not for sale: {reason}",
                )
            )
    return result
