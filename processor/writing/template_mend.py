"""Undo what Word and LibreOffice do to a template on save where docxtpl depends on it.

docxtpl's whitespace control works on the XML, not on the text: `{%-` joins its text to the
w:t before it, `-%}` to the w:t after it. The Lào Cai template uses that to write the 2020
decision byte for byte: a `{##}` in a w:t of its own right before each `{%-`, and each
`{%r … -%}` at the end of its run. Saving the template in Word or LibreOffice merges adjacent
w:t and runs of the same formatting, and then the same tags reach further: the decision's title
is glued to "QUYẾT ĐỊNH", the legal bases after the first are lost. Both merges are split again
here, on the template opened in memory, before docxtpl sees it; a template that has neither
(both bundled ones as they are shipped) is left exactly as it is.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from processor.writing.template_text import W

_T, _R, _RPR = f"{W}t", f"{W}r", f"{W}rPr"
# `{##}{%- if …`: comments at the start of a w:t, right before a `{%-`.
_COMMENT_JOIN = re.compile(r"^((?:\{#.*?#\})+)(?=\{%-)")
# `{%r else -%}` (or `{%-r …-%}`) and what follows it in the same w:t; the rest is safe only
# when it starts with another `{%r`/`{{r` tag, which docxtpl isolates in a run of its own.
_RUN_TAG_JOIN = re.compile(r"\{%-?r\s.*?-%\}(?=.)(?!\{%r\s|\{\{r\s)", re.DOTALL)


def mend(root: Any) -> int:
    """Split the merged w:t and runs under `root` (a body, header or footer); how many."""
    count = 0
    for text in list(root.iter(_T)):
        count += _split_runs(text)
    for text in list(root.iter(_T)):
        count += _split_comment(text)
    return count


def _split_comment(text: Any) -> int:
    match = _COMMENT_JOIN.match(text.text or "")
    if match is None:
        return 0
    rest = text.makeelement(_T, dict(text.attrib))
    rest.text = text.text[match.end() :]
    text.text = match.group(1)
    text.addnext(rest)
    return 1


def _split_runs(text: Any) -> int:
    """`<w:r><w:t>{%r else -%}{{ dong }}</w:t></w:r>` -> the tag's run, then a run (with the
    same formatting) for `{{ dong }}`; repeated for every such tag in the w:t."""
    count = 0
    while True:
        match = _RUN_TAG_JOIN.search(text.text or "")
        run = text.getparent()
        if match is None or run is None or run.tag != _R:
            return count
        after = copy.deepcopy(run)
        position = list(run).index(text)
        for child in list(after)[: position + 1]:
            if child.tag != _RPR:
                after.remove(child)
        for child in list(run)[position + 1 :]:
            run.remove(child)
        rest = text.makeelement(_T, dict(text.attrib))
        rest.text = text.text[match.end() :]
        text.text = text.text[: match.end()]
        rpr = after.find(_RPR)
        if rpr is not None:
            rpr.addnext(rest)
        else:
            after.insert(0, rest)
        run.addnext(after)
        count += 1
        text = rest
