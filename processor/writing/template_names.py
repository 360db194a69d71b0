"""Before filling: every name a tag uses is one the decision's context has.

The allowed names come from a real context (processor/core/decision.py's build_context, for the
workbook being processed and for a small synthetic one that has every kind of row), taken as a
Shape: which keys each mapping has, what each list holds. Each tag's expression is parsed by
Jinja itself, one tag at a time, so a syntax error is reported at its own paragraph; the names
it reads are then looked up in the loops and `set`s open at that tag, then in the context. A
name that is nowhere gets a "có phải «tinh»?" for a near miss (accents set aside); a loop's
variable used outside its loop (the loop's start deleted) says which loop it belongs to.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, TemplateSyntaxError, nodes

from processor.core.problems import Problem
from processor.writing.template_check import ENDS, TemplateMap, is_opener, loop_names
from processor.writing.template_problems import quoted, suggestion, technical
from processor.writing.template_text import Tag

# What Jinja's `loop` has inside a for loop.
LOOP_ATTRIBUTES = (
    "index",
    "index0",
    "revindex",
    "revindex0",
    "first",
    "last",
    "length",
    "depth",
    "depth0",
    "previtem",
    "nextitem",
    "cycle",
    "changed",
)
_MAPPING_METHODS = frozenset({"items", "keys", "values", "get"})
_KEEPS_LIST = frozenset({"list", "sort", "reverse", "unique", "select", "reject", "selectattr"})
_TAKES_ITEM = frozenset({"first", "last", "random", "min", "max"})
_SCOPES = frozenset({"for", "with", "macro", "call"})


@dataclass(slots=True)
class Shape:
    """What a value of the context looks like: a mapping's keys, a list's items, or a value."""

    fields: dict[str, Shape] | None = None
    item: Shape | None = None
    is_list: bool = False


def shape_of(value: Any) -> Shape:
    """The shape of a context value; a list by its first two items and its last (linear in the
    context's depth, not its length: every row of a list is built by the same code)."""
    if isinstance(value, Mapping):
        return Shape(fields={str(k): shape_of(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        items = list(value[:2]) + list(value[-1:]) if len(value) > 2 else list(value)
        return Shape(item=merged(*(shape_of(item) for item in items)), is_list=True)
    return Shape()


def merged(*shapes: Shape | None) -> Shape | None:
    """One shape that admits whatever any of `shapes` admits."""
    present = [s for s in shapes if s is not None]
    if not present:
        return None
    first = present[0]
    if len(present) == 1:
        return first
    if all(s.fields is not None for s in present):
        keys: dict[str, list[Shape]] = {}
        for s in present:
            for key, sub in (s.fields or {}).items():
                keys.setdefault(key, []).append(sub)
        return Shape(fields={key: merged(*subs) or Shape() for key, subs in keys.items()})
    if all(s.is_list for s in present):
        return Shape(item=merged(*(s.item for s in present)), is_list=True)
    return Shape()


def context_shape(*contexts: Mapping[str, Any] | None) -> Shape:
    shape = merged(*(shape_of(dict(c)) for c in contexts if c is not None))
    return shape if shape is not None and shape.fields is not None else Shape(fields={})


def known_names(shape: Shape) -> list[str]:
    """Every key of every mapping in the shape: what a near miss may have meant."""
    found: set[str] = set()
    stack = [shape]
    while stack:
        current = stack.pop()
        if current.fields is not None:
            found.update(current.fields)
            stack += current.fields.values()
        if current.item is not None:
            stack.append(current.item)
    return sorted(found)


_LOOP = Shape(fields={name: Shape() for name in LOOP_ATTRIBUTES})


def _clean(text: str) -> str:
    """The quotes Word's AutoCorrect types, made plain, as docxtpl makes them in a tag."""
    for curly, plain in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'")):
        text = text.replace(curly, plain)
    return text


@functools.lru_cache(maxsize=2048)
def _parsed(source: str) -> nodes.Template | TemplateSyntaxError:
    try:
        return _ENVIRONMENT.parse(source)
    except TemplateSyntaxError as exc:
        return exc


_ENVIRONMENT = Environment()


@dataclass(slots=True)
class _Checker:
    environment: Environment
    top: Shape
    bound_by: dict[str, Tag]  # loop and set variables, and the tag that binds each
    row_places: dict[int, str]  # "bảng 3, hàng 5" of each table row of the unit
    problems: list[Problem] = field(default_factory=list)
    scopes: list[tuple[str, dict[str, Shape | None]]] = field(default_factory=list)
    tag: Tag | None = None
    seen: set[tuple[str, str, str]] = field(default_factory=set)

    # -- one tag at a time -------------------------------------------------------------

    def check(self, tag: Tag) -> None:
        self.tag = tag
        keyword = tag.keyword
        if tag.kind == "{#":
            return
        if tag.kind == "{{":
            self._expressions(f"{{{{ {_clean(tag.body)} }}}}")
            return
        if keyword in ENDS:
            self._close(ENDS[keyword])
            return
        rest = _clean(tag.rest)
        if keyword == "for":
            self._for(rest)
        elif keyword in ("if", "elif"):
            self._expressions(f"{{% if {rest} %}}{{% endif %}}")
        elif keyword == "set":
            self._set(rest, is_opener(tag))
        elif keyword in ("colspan", "cellbg", "print"):
            self._expressions(f"{{{{ {rest} }}}}")
        elif keyword in ("with", "macro", "call", "filter", "block", "autoescape"):
            self._other(keyword, rest)

    def _parse(self, source: str) -> nodes.Template | None:
        result = _parsed(source)
        if isinstance(result, TemplateSyntaxError):
            from processor.writing.jinja_errors import syntax_reason

            assert self.tag is not None
            self._report(
                ("syntax", self.tag.source),
                technical(
                    f"Thẻ «{quoted(self.tag.source)}» viết sai: {syntax_reason(result)}.",
                    result.message or "",
                ),
            )
            return None
        return result

    def _expressions(self, source: str) -> None:
        template = self._parse(source)
        if template is not None:
            for node in template.body:
                self.visit(node)

    def _for(self, rest: str) -> None:
        template = self._parse(f"{{% for {rest} %}}{{% endfor %}}")
        loop = template.body[0] if template is not None and template.body else None
        items = self.visit(loop.iter) if isinstance(loop, nodes.For) else None
        self.scopes.append(("for", {"loop": _LOOP}))
        if isinstance(loop, nodes.For):
            self._bind(loop.target, items.item if items is not None and items.is_list else None)
            if loop.test is not None:
                self.visit(loop.test)

    def _set(self, rest: str, block: bool) -> None:
        source = f"{{% set {rest} %}}" + ("{% endset %}" if block else "")
        template = self._parse(source)
        statement = template.body[0] if template is not None and template.body else None
        if isinstance(statement, nodes.Assign):
            value = self.visit(statement.node)
            self._bind(statement.target, value)
        elif isinstance(statement, nodes.AssignBlock):
            self._bind(statement.target, Shape())

    def _other(self, keyword: str, rest: str) -> None:
        template = self._parse(f"{{% {keyword} {rest} %}}{{% end{keyword} %}}")
        scope: dict[str, Shape | None] = {"caller": None, "varargs": None, "kwargs": None}
        statement = template.body[0] if template is not None and template.body else None
        if isinstance(statement, nodes.With):
            for value in statement.values:
                self.visit(value)
            for target in statement.targets:
                self._bind(target, None, scope)
        elif isinstance(statement, nodes.Macro):
            self.scopes[-1][1][statement.name] = None
            scope.update({arg.name: None for arg in statement.args})
        elif statement is not None:
            for child in statement.iter_child_nodes(exclude=("body",)):
                self.visit(child)
        if keyword in _SCOPES:
            self.scopes.append((keyword, scope))

    def _close(self, start: str) -> None:
        if start not in _SCOPES:
            return
        for index in range(len(self.scopes) - 1, 0, -1):
            if self.scopes[index][0] == start:
                del self.scopes[index:]
                return

    def _bind(
        self, target: nodes.Node, shape: Shape | None, scope: dict[str, Shape | None] | None = None
    ) -> None:
        names = self.scopes[-1][1] if scope is None else scope
        if isinstance(target, nodes.Name):
            names[target.name] = shape
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self._bind(item, None, scope)
        elif isinstance(target, nodes.NSRef):
            self._name(target.name)

    # -- expressions -------------------------------------------------------------------

    def visit(self, node: nodes.Node) -> Shape | None:
        """Check every name the expression reads; the shape of its value when known."""
        if isinstance(node, nodes.Name):
            return self._name(node.name) if node.ctx == "load" else None
        if isinstance(node, nodes.Getattr):
            return self._key(node.node, node.attr)
        if isinstance(node, nodes.Getitem):
            arg = node.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                return self._key(node.node, arg.value)
            base = self.visit(node.node)
            self.visit(arg)
            if base is not None and base.is_list:
                return base if isinstance(arg, nodes.Slice) else base.item
            return None
        if isinstance(node, nodes.Filter | nodes.Test):
            return self._filter(node)
        for child in node.iter_child_nodes():
            self.visit(child)
        return None

    def _filter(self, node: nodes.Filter | nodes.Test) -> Shape | None:
        known = (
            self.environment.filters if isinstance(node, nodes.Filter) else self.environment.tests
        )
        what = "bộ lọc" if isinstance(node, nodes.Filter) else "phép thử"
        if node.name not in known:
            self._report(
                ("filter", node.name),
                f"Thẻ «{quoted(self._source())}» dùng {what} «{node.name}», không có {what} "
                f"này.{suggestion(node.name, known)}",
            )
        base = self.visit(node.node) if node.node is not None else None
        for child in node.iter_child_nodes(exclude=("node",)):
            self.visit(child)
        if isinstance(node, nodes.Filter) and base is not None and base.is_list:
            if node.name in _KEEPS_LIST:
                return base
            if node.name in _TAKES_ITEM:
                return base.item
        return None

    def _name(self, name: str) -> Shape | None:
        for _, scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        fields = self.top.fields or {}
        if name in fields:
            return fields[name]
        if name in self.environment.globals:
            return None
        owner = self.bound_by.get(name)
        if owner is not None and self.tag is not None:
            what = "vòng lặp" if owner.keyword == "for" else "thẻ gán"
            block = self.tag.block
            row = self.row_places.get(block.row_id) if block.row_id is not None else None
            self._report(
                ("outside", name),
                f"Các thẻ ở đây dùng «{name}», biến của {what} «{quoted(owner.source)}» "
                f"({owner.block.place}), nhưng chỗ này không nằm trong {what} đó: thẻ mở "
                f"{what} bị xóa, hay đặt sai chỗ?"
                if row
                else f"Thẻ «{quoted(self._source())}» dùng «{name}», biến của {what} "
                f"«{quoted(owner.source)}» ({owner.block.place}), nhưng chỗ này không nằm trong "
                f"{what} đó: thẻ mở {what} bị xóa, hay đặt sai chỗ?",
                place=row,
            )
            return None
        known = [*fields, *(n for _, scope in self.scopes for n in scope)]
        self._report(
            ("name", name),
            f"Thẻ «{quoted(self._source())}» dùng biến «{name}», chương trình không có biến "
            f"này.{suggestion(name, known)}",
        )
        return None

    def _key(self, base_node: nodes.Node, key: str) -> Shape | None:
        base = self.visit(base_node)
        if base is None or base.fields is None:
            return None
        if key in base.fields:
            return base.fields[key]
        if key in _MAPPING_METHODS:
            return None
        owner = _label(base_node)
        listed = ", ".join(sorted(base.fields))
        self._report(
            ("key", f"{owner}.{key}"),
            f"Thẻ «{quoted(self._source())}»: «{owner}» không có «{key}» (chỉ có: {listed})."
            f"{suggestion(key, base.fields)}",
        )
        return None

    def _source(self) -> str:
        return self.tag.source if self.tag is not None else ""

    def _report(self, key: tuple[str, str], message: str, place: str | None = None) -> None:
        assert self.tag is not None
        where = place or self.tag.block.place
        mark = (where, *key)
        if mark not in self.seen:
            self.seen.add(mark)
            self.problems.append(Problem(where, message))


def _label(node: nodes.Node) -> str:
    """`dv`, `g.don_vi`, `trich_yeu[0]`: an expression as the template writes it."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_label(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_label(node.node)}[{node.arg.value!r}]"
    return "giá trị"


def _bound_by(tags: Iterable[Tag]) -> dict[str, Tag]:
    """Each variable a `for` or `set` of the template binds, and the first tag binding it."""
    found: dict[str, Tag] = {}
    for tag in tags:
        if tag.keyword == "for":
            names = loop_names(tag)
        elif tag.keyword == "set":
            names = tag.rest.split("=")[0].replace(",", " ").split()
        else:
            continue
        for name in names:
            if name.isidentifier():
                found.setdefault(name, tag)
    return found


def check_names(
    found: TemplateMap, shape: Shape, environment: Environment | None = None
) -> list[Problem]:
    """A problem for every unknown name, key, filter or test, and every unparsable tag."""
    env = environment or _ENVIRONMENT
    problems: list[Problem] = []
    for unit in found.units:
        tags: Sequence[Tag] = found.tags.get(unit.name, [])
        checker = _Checker(env, shape, _bound_by(tags), unit.row_places)
        checker.scopes.append(("", {}))
        for tag in tags:
            checker.check(tag)
        problems += checker.problems
    return problems
