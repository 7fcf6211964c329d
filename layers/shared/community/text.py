"""Text that DynamoDB can store. JSON may spell a lone UTF-16 surrogate (`"\\ud83c"`), which
Python keeps in a `str` but which has no UTF-8 form: DynamoDB refuses the whole request. A
valid pair is decoded into one character by `json.loads`, so any surrogate left is lone."""

import re

LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD, as a UTF-8 decoder would."""
    return LONE_SURROGATE.sub("\ufffd", text)


def has_lone_surrogate(text: str) -> bool:
    return LONE_SURROGATE.search(text) is not None
