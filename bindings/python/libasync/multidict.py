"""CIMultiDict: a small case-insensitive multi-dict for HTTP headers, in
the manner of the ``multidict`` package that aiohttp uses.

Keys compare without regard to case and keep the case they were added
with; a key may be present many times (``getall``) and the order of
addition is kept. ``d[key]`` and ``d.get(key)`` give the first value.
"""

from collections.abc import Mapping, MutableMapping

__all__ = ["CIMultiDict", "CIMultiDictProxy"]

_MISSING = object()


def _fold(key):
    if not isinstance(key, str):
        raise TypeError("header names are str, not %s" % type(key).__name__)
    return key.lower()


class _Base(Mapping):
    __slots__ = ("_items",)

    # Each item is (folded key, key, value).

    def getall(self, key, default=_MISSING):
        folded = _fold(key)
        values = [v for f, _, v in self._items if f == folded]
        if values:
            return values
        if default is not _MISSING:
            return default
        raise KeyError(key)

    def getone(self, key, default=_MISSING):
        folded = _fold(key)
        for f, _, v in self._items:
            if f == folded:
                return v
        if default is not _MISSING:
            return default
        raise KeyError(key)

    def __getitem__(self, key):
        return self.getone(key)

    def get(self, key, default=None):
        return self.getone(key, default)

    def __contains__(self, key):
        if not isinstance(key, str):
            return False
        folded = key.lower()
        for f, _, _ in self._items:
            if f == folded:
                return True
        return False

    def __iter__(self):
        return (k for _, k, _ in self._items)

    def __len__(self):
        return len(self._items)

    def keys(self):
        return [k for _, k, _ in self._items]

    def values(self):
        return [v for _, _, v in self._items]

    def items(self):
        return [(k, v) for _, k, v in self._items]

    def __eq__(self, other):
        if isinstance(other, _Base):
            return ([(f, v) for f, _, v in self._items] ==
                    [(f, v) for f, _, v in other._items])
        if isinstance(other, Mapping):
            return dict((k.lower(), v) for k, v in self.items()) == dict(
                (str(k).lower(), v) for k, v in other.items())
        return NotImplemented

    def __repr__(self):
        body = ", ".join("%r: %r" % (k, v) for _, k, v in self._items)
        return "<%s(%s)>" % (type(self).__name__, body)


def _pairs(arg, kwargs):
    if arg is None:
        pairs = []
    elif isinstance(arg, _Base):
        pairs = arg.items()
    elif isinstance(arg, Mapping):
        pairs = list(arg.items())
    else:
        pairs = list(arg)
    if kwargs:
        pairs = list(pairs) + list(kwargs.items())
    return pairs


class CIMultiDict(_Base, MutableMapping):
    """A mutable case-insensitive multi-dict."""

    __slots__ = ()

    def __init__(self, arg=None, **kwargs):
        self._items = [(_fold(k), k, v) for k, v in _pairs(arg, kwargs)]

    def add(self, key, value):
        self._items.append((_fold(key), key, value))

    def extend(self, arg=None, **kwargs):
        for k, v in _pairs(arg, kwargs):
            self.add(k, v)

    def __setitem__(self, key, value):
        folded = _fold(key)
        items, done = [], False
        for item in self._items:
            if item[0] != folded:
                items.append(item)
            elif not done:
                items.append((folded, key, value))
                done = True
        if not done:
            items.append((folded, key, value))
        self._items = items

    def __delitem__(self, key):
        folded = _fold(key)
        items = [item for item in self._items if item[0] != folded]
        if len(items) == len(self._items):
            raise KeyError(key)
        self._items = items

    def update(self, arg=None, **kwargs):
        """Replaces the values of the keys given (keeping the others), as
        multidict's update."""
        new = CIMultiDict(arg, **kwargs)
        for folded in dict.fromkeys(f for f, _, _ in new._items):
            self._items = [item for item in self._items if item[0] != folded]
        self._items.extend(new._items)

    def setdefault(self, key, default=None):
        value = self.getone(key, _MISSING)
        if value is _MISSING:
            self.add(key, default)
            return default
        return value

    def popone(self, key, default=_MISSING):
        folded = _fold(key)
        for i, item in enumerate(self._items):
            if item[0] == folded:
                del self._items[i]
                return item[2]
        if default is not _MISSING:
            return default
        raise KeyError(key)

    pop = popone

    def popall(self, key, default=_MISSING):
        values = self.getall(key, _MISSING)
        if values is _MISSING:
            if default is not _MISSING:
                return default
            raise KeyError(key)
        del self[key]
        return values

    def clear(self):
        self._items = []

    def copy(self):
        new = CIMultiDict()
        new._items = list(self._items)
        return new


class CIMultiDictProxy(_Base):
    """A read-only view of a CIMultiDict (what response.headers is)."""

    __slots__ = ("_md",)

    def __init__(self, arg=None):
        self._md = arg if isinstance(arg, CIMultiDict) else CIMultiDict(arg)

    @property
    def _items(self):
        return self._md._items

    @classmethod
    def _from_pairs(cls, pairs):
        """From (name, value) pairs, without checks: the fast path."""
        md = CIMultiDict.__new__(CIMultiDict)
        md._items = [(k.lower(), k, v) for k, v in pairs]
        proxy = cls.__new__(cls)
        proxy._md = md
        return proxy

    def copy(self):
        return self._md.copy()
