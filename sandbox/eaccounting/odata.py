"""A pure OData v4 subset: $filter (comparisons, and/or/not, parentheses, startswith/endswith/contains,
length/year/month/day/hour/minute/second, tolower/toupper) and $orderby, evaluated on plain dicts.

Errors raise ODataError(code): 6000 QueryParameterError for a bad expression, 6001 InvalidInput for a
bad date-time literal.
"""

import re
from datetime import UTC, datetime

TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<str>'(?:[^']|'')*')
  | (?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-]))
  | (?P<date>\d{4}-[0-9A-Za-z:.+\-]*)
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[(),])
""",
    re.X,
)
DT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?)?$")
COMPARE = {"eq", "ne", "gt", "ge", "lt", "le"}
BOOL_FUNCS = {"startswith", "endswith", "contains"}
NUM_FUNCS = {"length", "year", "month", "day", "hour", "minute", "second"}
STR_FUNCS = {"tolower", "toupper"}


class ODataError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


def field_kinds(schema_props):
    """Map a schema's scalar properties to kinds: dt, uuid, str, num, bool."""
    kinds = {}
    for name, p in schema_props.items():
        types = set(p.get("type", []))
        if "string" in types:
            kinds[name] = {"date-time": "dt", "uuid": "uuid"}.get(p.get("format"), "str")
        elif types & {"number", "integer"}:
            kinds[name] = "num"
        elif "boolean" in types:
            kinds[name] = "bool"
    return kinds


def parse_dt(text):
    if not DT_RE.match(text):
        raise ODataError(6001, f"'{text}' is not a valid DateTime. Use e.g. 2024-01-31T23:59:59Z.")
    t = text[:-1] + "+00:00" if text.endswith("Z") else text
    try:
        d = datetime.fromisoformat(t)
    except ValueError:
        raise ODataError(6001, f"'{text}' is not a valid DateTime.") from None
    if d.tzinfo is not None:
        d = d.astimezone(UTC).replace(tzinfo=None)
    return d


def tokenize(text):
    pos, out = 0, []
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise ODataError(6000, f"Syntax error at position {pos} in $filter.")
        pos = m.end()
        kind = m.lastgroup
        if kind != "ws":
            out.append((kind, m.group()))
    return out


class Filter:
    """A parsed $filter; .matches(obj) evaluates it, .fields and .uses_or describe it."""

    def __init__(self, text, kinds):
        self.kinds, self.fields, self.uses_or = kinds, set(), False
        self.toks, self.i = tokenize(text), 0
        if not self.toks:
            raise ODataError(6000, "Empty $filter.")
        self.tree = self._or()
        if self.i != len(self.toks):
            raise ODataError(6000, f"Unexpected '{self.toks[self.i][1]}' in $filter.")

    # -- parser --------------------------------------------------------------------
    def _peek(self, value=None):
        if self.i >= len(self.toks):
            return None
        tok = self.toks[self.i]
        return tok if value is None or tok[1].lower() == value else None

    def _take(self, value=None):
        tok = self._peek(value)
        if tok is None:
            raise ODataError(6000, f"Expected {value or 'more input'} in $filter.")
        self.i += 1
        return tok

    def _or(self):
        node = self._and()
        while self._peek("or"):
            self._take()
            self.uses_or = True
            node = ("or", node, self._and())
        return node

    def _and(self):
        node = self._not()
        while self._peek("and"):
            self._take()
            node = ("and", node, self._not())
        return node

    def _not(self):
        if self._peek("not"):
            self._take()
            return ("not", self._not())
        if self._peek("("):
            self._take()
            node = self._or()
            self._take(")")
            return node
        return self._comparison()

    def _field(self):
        kind, name = self._take()
        if kind != "ident" or name not in self.kinds:
            raise ODataError(6000, f"Property '{name}' can not be used in $filter.")
        self.fields.add(name)
        return name

    def _operand(self):
        tok = self._peek()
        if (
            tok
            and tok[0] == "ident"
            and tok[1].lower() in NUM_FUNCS | STR_FUNCS
            and self.i + 1 < len(self.toks)
            and self.toks[self.i + 1][1] == "("
        ):
            func = self._take()[1].lower()
            self._take("(")
            name = self._field()
            self._take(")")
            if func in NUM_FUNCS and func != "length" and self.kinds[name] != "dt":
                raise ODataError(6000, f"{func}() needs a DateTime property.")
            return ("func", func, name), ("num" if func in NUM_FUNCS else "str")
        name = self._field()
        return ("field", name), self.kinds[name]

    def _comparison(self):
        tok = self._peek()
        if tok and tok[1].lower() in BOOL_FUNCS:
            func = self._take()[1].lower()
            self._take("(")
            name = self._field()
            self._take(",")
            lit = self._take()
            if lit[0] != "str":
                raise ODataError(6000, f"{func}() needs a string literal.")
            self._take(")")
            return ("strfunc", func, name, lit[1][1:-1].replace("''", "'").lower())
        left, kind = self._operand()
        op = self._take()[1].lower()
        if op not in COMPARE:
            raise ODataError(6000, f"Unknown operator '{op}' in $filter.")
        return ("cmp", op, left, self._literal(kind))

    def _literal(self, kind):
        tkind, text = self._take()
        low = text.lower()
        if tkind == "ident" and low == "null":
            return None
        if kind == "dt":
            if tkind == "str":
                return parse_dt(text[1:-1])
            if tkind in ("date", "num"):
                return parse_dt(text)
        elif kind == "bool" and tkind == "ident" and low in ("true", "false"):
            return low == "true"
        elif kind == "num" and tkind == "num":
            return float(text)
        elif kind == "uuid" and tkind in ("guid", "str"):
            return text.strip("'").lower()
        elif kind == "str" and tkind == "str":
            return text[1:-1].replace("''", "'").lower()
        raise ODataError(6000, f"Literal {text} does not fit the property type ({kind}).")

    # -- evaluation -------------------------------------------------------------------
    def matches(self, obj):
        return self._eval(self.tree, obj)

    def _value(self, left, obj):
        if left[0] == "field":
            v = obj.get(left[1])
            kind = self.kinds[left[1]]
        else:
            _, func, name = left
            v, kind = obj.get(name), self.kinds[name]
            if v is None:
                return None
            if func == "length":
                return float(len(str(v)))
            if func in STR_FUNCS:
                return str(v).lower()
            return float(getattr(parse_dt(v.replace(" ", "T")), func))
        if v is None:
            return None
        if kind == "dt":
            return parse_dt(v) if isinstance(v, str) else v
        if kind in ("str", "uuid"):
            return str(v).lower()
        if kind == "num":
            return float(v)
        return v

    def _eval(self, node, obj):
        tag = node[0]
        if tag == "and":
            return self._eval(node[1], obj) and self._eval(node[2], obj)
        if tag == "or":
            return self._eval(node[1], obj) or self._eval(node[2], obj)
        if tag == "not":
            return not self._eval(node[1], obj)
        if tag == "strfunc":
            _, func, name, lit = node
            v = obj.get(name)
            if v is None:
                return False
            v = str(v).lower()
            return {"startswith": v.startswith, "endswith": v.endswith, "contains": lambda s: s in v}[func](
                lit
            )
        _, op, left, lit = node
        v = self._value(left, obj)
        if op == "eq":
            return v == lit
        if op == "ne":
            return v != lit
        if v is None or lit is None:
            return False
        return {"gt": v > lit, "ge": v >= lit, "lt": v < lit, "le": v <= lit}[op]


def parse_orderby(text, kinds):
    """'ChangedUtc asc, Number desc' -> [('ChangedUtc', False), ('Number', True)]."""
    keys = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or words[0] not in kinds:
            raise ODataError(6000, f"Can not order by '{part.strip()}'.")
        if len(words) == 2 and words[1].lower() not in ("asc", "desc"):
            raise ODataError(6000, f"Unknown sort direction '{words[1]}'.")
        keys.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    return keys


def sort_items(items, keys, kinds):
    """Stable multi-key sort; None sorts first ascending."""
    for name, desc in reversed(keys):
        kind = kinds[name]

        def key(obj, name=name, kind=kind):
            v = obj.get(name)
            if v is None:
                return (0, 0)
            if kind == "dt" and isinstance(v, str):
                return (1, parse_dt(v))
            if kind in ("str", "uuid"):
                return (1, str(v).lower())
            return (1, v)

        items = sorted(items, key=key, reverse=desc)
    return items
