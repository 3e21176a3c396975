"""What every order planner may answer instead of a plan."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Waiting:
    """The order cannot be transferred yet; each reason is a sentence a shop owner can act on."""

    reasons: tuple[str, ...]
