"""How characters are shown: in drawn text (a new line as a mark) and as the names under the
next-character bars, which plugin.toml lists once and the trainer picks from by index."""

from __future__ import annotations

BAR_CHARS = "\n\t" + "".join(chr(c) for c in range(32, 127))  # every character a bar can name
_SHOWN = {"\n": "\u21b5", "\t": "\u21e5"}
_NAMED = {**_SHOWN, " ": "\u2423"}  # a bar label needs the space made visible too
BAR_NAMES = [_NAMED.get(c, c) for c in BAR_CHARS] + ["other"]  # == the bars view's labels in plugin.toml


def visible(ch: str) -> str:
    """A character as drawn in a text cell: new lines and tabs as marks."""
    return _SHOWN.get(ch, ch)


def bar_index(ch: str) -> int:
    """The index of ``ch``'s name in BAR_NAMES ("other" for characters beyond printable ASCII)."""
    i = BAR_CHARS.find(ch)
    return i if i >= 0 else len(BAR_CHARS)
