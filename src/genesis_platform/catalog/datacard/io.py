"""Reading and writing a card as Markdown with YAML front matter, the Genesis card's own file form.

YAML 1.1 loaders turn unquoted `Yes`/`No`/`On`/`Off` into booleans, which the card forbids (rule E5); the loader
here keeps them as strings (only `true`/`false` are booleans), and the writer quotes them.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from pydantic import ValidationError

from genesis_platform.catalog.datacard.model import DataCard
from genesis_platform.kernel.errors import InvalidInput
from genesis_platform.kernel.validation import validation_message

__all__ = ["dump_card", "load_card"]

_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)


class _CardLoader(yaml.SafeLoader):
    """SafeLoader whose booleans are only `true` and `false`."""


_CardLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_CardLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_card(text: str) -> tuple[DataCard, str]:
    """Parse a card file (front matter and Markdown body) or bare YAML; return the card and the body.

    Raises:
        InvalidInput: not YAML, not a mapping, or not a valid card; the message names every field at fault.
    """
    match = _FRONT.match(text)
    front, body = (match.group(1), match.group(2)) if match else (text, "")
    try:
        data: Any = yaml.load(front, Loader=_CardLoader)
    except yaml.YAMLError as e:
        raise InvalidInput(f"the card is not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise InvalidInput("the card's front matter must be a YAML mapping")
    try:
        return DataCard.model_validate(data), body
    except ValidationError as e:
        raise InvalidInput(f"the card does not follow Genesis Data Card v1.2: {validation_message(e)}") from None


def dump_card(card: DataCard, body: str = "") -> str:
    """Write a card as Markdown with YAML front matter (blank fields left out)."""
    data = card.model_dump(mode="json", exclude_none=True)
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{front}---\n{body}"
