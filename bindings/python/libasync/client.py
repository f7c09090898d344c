"""aiohttp's client API on libasync's HTTP client.

See the package's docstring for how requests, completions and streaming
cross between the asyncio thread and the library's thread.
"""

import asyncio
import codecs
import collections
import io
import itertools
import json as _json
import re
import threading
import warnings
import weakref
from ctypes import byref, c_char_p, c_size_t, c_void_p, string_at
from urllib.parse import urlencode, urljoin, urlsplit, quote, parse_qsl

from . import _runtime, capi
from .client_exceptions import (ClientConnectionError, ClientPayloadError,
                                ClientResponseError, ContentTypeError,
                                TooManyRedirects, from_error)
from .multidict import CIMultiDict, CIMultiDictProxy

__all__ = [
    "ClientSession", "ClientResponse", "ClientTimeout", "TCPConnector",
    "AsyncResolver", "StreamReader", "RequestInfo", "URL", "HttpVersion",
    "DEFAULT_TIMEOUT",
]

_lib = capi.pylib  # none of these calls waits for the loop's thread
_request_new = _lib.async_request_new
_request_release = _lib.async_request_release
_add_header = _lib.async_request_add_header
_set_body = _lib.async_request_set_body
_request_set_int = _lib.async_request_set_int
_request_set_double = _lib.async_request_set_double
_set_streaming = _lib.async_request_set_streaming
_send = _lib.async_session_send
_future_state = _lib.async_future_state
_future_value = _lib.async_future_value
_future_release = _lib.async_future_release
_future_cancel = _lib.async_future_cancel
_status = _lib.async_response_status
_reason = _lib.async_response_reason
_version = _lib.async_response_version
_header_count = _lib.async_response_header_count
_header_at = _lib.async_response_header_at
_body = _lib.async_response_body
_response_retain = _lib.async_response_retain
_response_release = _lib.async_response_release
_response_pause = _lib.async_response_pause
_response_resume = _lib.async_response_resume

_DONE = capi.DONE
# Requests without headers, body or options go out in one call.
_SIMPLE = {"GET": _lib.async_http_get, "HEAD": _lib.async_http_head,
           "DELETE": _lib.async_http_delete,
           "OPTIONS": _lib.async_http_options}
_SENTINEL = object()
_REDIRECTS = frozenset((301, 302, 303, 307, 308))
# Characters a URL may carry as they are; anything else is percent-encoded.
_UNSAFE_URL = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")
_JSON_TYPE = re.compile(r"^application/(?:[\w.+-]+?\+)?json")
_CHARSET = re.compile(r";\s*charset\s*=\s*\"?([^\";\s]+)", re.I)

HttpVersion = collections.namedtuple("HttpVersion", ["major", "minor"])
_HTTP10 = HttpVersion(1, 0)
_HTTP11 = HttpVersion(1, 1)

# ---- URLs -------------------------------------------------------------------


class URL(str):
    """A URL: a str with the parts aiohttp users read from yarl's URL."""

    __slots__ = ()

    def _parts(self):
        return urlsplit(self)

    @property
    def scheme(self):
        return self._parts().scheme

    @property
    def host(self):
        return self._parts().hostname

    @property
    def port(self):
        parts = self._parts()
        if parts.port is not None:
            return parts.port
        return {"http": 80, "https": 443}.get(parts.scheme)

    @property
    def user(self):
        return self._parts().username

    @property
    def password(self):
        return self._parts().password

    @property
    def path(self):
        return self._parts().path or "/"

    raw_path = path

    @property
    def query_string(self):
        return self._parts().query

    raw_query_string = query_string

    @property
    def query(self):
        return CIMultiDictProxy(parse_qsl(self.query_string,
                                          keep_blank_values=True))

    @property
    def fragment(self):
        return self._parts().fragment

    @property
    def name(self):
        return self.path.rsplit("/", 1)[-1]

    def is_absolute(self):
        return bool(self._parts().scheme)

    absolute = property(is_absolute)

    def origin(self):
        parts = self._parts()
        return URL("%s://%s" % (parts.scheme, parts.netloc.rsplit("@", 1)[-1]))

    def join(self, url):
        return URL(urljoin(self, url))

    def human_repr(self):
        return str(self)

    def __repr__(self):
        return "URL(%s)" % str.__repr__(self)


def _origin(url):
    parts = urlsplit(url)
    return (parts.scheme, parts.hostname,
            parts.port or (443 if parts.scheme == "https" else 80))


def _quote_url(url):
    if _UNSAFE_URL.search(url) is None:
        return url
    return quote(url, safe="-._~:/?#[]@!$&'()*+,;=%")


def _with_params(url, params):
    if params is None:
        return url
    if isinstance(params, str):
        query = params
    else:
        items = params.items() if hasattr(params, "items") else params
        pairs = []
        for key, value in items:
            if isinstance(value, bool):
                raise TypeError("query values must be str, int or float, "
                                "not bool (%s=%r)" % (key, value))
            pairs.append((key, value))
        query = urlencode(pairs)
    if not query:
        return url
    base, sep, fragment = url.partition("#")
    base += ("&" if "?" in base else "?") + query
    return base + sep + fragment


RequestInfo = collections.namedtuple("RequestInfo",
                                     ["url", "method", "headers", "real_url"])

# ---- settings ---------------------------------------------------------------


class ClientTimeout:
    """Timeouts in seconds (None: no limit), as aiohttp's:

    total         the whole request, reading the body included
                  (ASYNC_SESSION_TIMEOUT)
    connect       getting a connection: waiting for a free one in the pool
                  and opening it (ASYNC_SESSION_QUEUE_TIMEOUT and
                  ASYNC_SESSION_CONNECT_TIMEOUT)
    sock_connect  opening a connection: DNS, TCP and TLS
                  (ASYNC_SESSION_CONNECT_TIMEOUT)
    sock_read     the longest wait for the next bytes of the response
                  (ASYNC_SESSION_READ_TIMEOUT)

    A timeout that runs out raises ServerTimeoutError, which is an
    asyncio.TimeoutError.
    """

    __slots__ = ("total", "connect", "sock_read", "sock_connect",
                 "ceil_threshold", "_options")

    def __init__(self, total=None, connect=None, sock_read=None,
                 sock_connect=None, ceil_threshold=5):
        for name, value in (("total", total), ("connect", connect),
                            ("sock_read", sock_read),
                            ("sock_connect", sock_connect)):
            if value is not None and not value >= 0:
                raise ValueError("ClientTimeout.%s must be >= 0 or None, "
                                 "not %r" % (name, value))
            object.__setattr__(self, name, value)
        object.__setattr__(self, "ceil_threshold", ceil_threshold)
        object.__setattr__(self, "_options", self._c_options())

    def __setattr__(self, name, value):
        raise AttributeError("ClientTimeout is immutable")

    def _c_options(self):
        """The (option, seconds) pairs to set on a request: what differs
        from the defaults of the connector's sessions (DEFAULT_TIMEOUT)."""
        options = []
        if self.total != 300:
            options.append((capi.SESSION_TIMEOUT, _seconds(self.total)))
        connect = [t for t in (self.connect, self.sock_connect)
                   if t is not None]
        connect = min(connect) if connect else None
        if connect != 30:
            options.append((capi.SESSION_CONNECT_TIMEOUT, _seconds(connect)))
        if self.connect is not None:
            options.append((capi.SESSION_QUEUE_TIMEOUT, self.connect))
        if self.sock_read is not None:
            options.append((capi.SESSION_READ_TIMEOUT, self.sock_read))
        return tuple(options)

    def _replace(self, **changes):
        values = dict(total=self.total, connect=self.connect,
                      sock_read=self.sock_read,
                      sock_connect=self.sock_connect,
                      ceil_threshold=self.ceil_threshold)
        values.update(changes)
        return ClientTimeout(**values)

    def __eq__(self, other):
        if not isinstance(other, ClientTimeout):
            return NotImplemented
        return (self.total, self.connect, self.sock_read, self.sock_connect) \
            == (other.total, other.connect, other.sock_read,
                other.sock_connect)

    def __hash__(self):
        return hash((self.total, self.connect, self.sock_read,
                     self.sock_connect))

    def __repr__(self):
        return ("ClientTimeout(total=%r, connect=%r, sock_read=%r, "
                "sock_connect=%r)" % (self.total, self.connect,
                                      self.sock_read, self.sock_connect))


def _seconds(value):
    return capi.FOREVER if value is None else float(value)


#: aiohttp's default: 5 minutes in all, 30 s to open a connection.
DEFAULT_TIMEOUT = ClientTimeout(total=300, sock_connect=30)


def _timeout_options(timeout):
    if isinstance(timeout, ClientTimeout):
        return timeout._options
    if timeout is None:
        return ClientTimeout()._options
    if isinstance(timeout, (int, float)):
        return ClientTimeout(total=timeout)._options
    raise TypeError("timeout must be a ClientTimeout, a number or None, "
                    "not %s" % type(timeout).__name__)


class AsyncResolver:
    """The name servers to ask instead of the system's, as
    ``"ADDR[:PORT]"`` strings (IPv6 addresses in brackets):
    ``TCPConnector(resolver=AsyncResolver(nameservers=["127.0.0.1:5353"]))``.
    Lookups always go through the library's own resolver (c-ares)."""

    def __init__(self, nameservers=None):
        self.nameservers = list(nameservers or [])


def _verify_flag(ssl):
    """Whether a connector's or request's ssl= value verifies."""
    if ssl is None or ssl is True:
        return True
    if ssl is False:
        return False
    verify_mode = getattr(ssl, "verify_mode", None)
    if verify_mode is not None:
        import ssl as _ssl
        return verify_mode != _ssl.CERT_NONE
    raise TypeError("ssl must be True, False, None or an ssl.SSLContext, "
                    "not %r" % (ssl,))


class TCPConnector:
    """The connection pool: one libasync session (async_session_t) per
    asyncio loop and TLS verification setting.

    limit           connections open at once, in all (0: no limit)
    limit_per_host  connections open at once to one scheme+host+port
    ssl             True (verify, the default), False (do not verify), or
                    an ssl.SSLContext whose verify_mode says which; the
                    certificates themselves come from cafile/capath or the
                    system's CA store (the context's own are not read)
    cafile, capath  trust these CA certificates instead of the system's
    certfile, keyfile   a client certificate chain and its key (PEM)
    keepalive_timeout   how long an idle connection is kept (default 15 s)
    force_close     one request per connection
    resolver        an AsyncResolver naming the DNS servers to use
    """

    def __init__(self, *, ssl=True, limit=100, limit_per_host=0,
                 cafile=None, capath=None, certfile=None, keyfile=None,
                 keepalive_timeout=None, force_close=False, resolver=None,
                 verify_ssl=True, use_dns_cache=True, ttl_dns_cache=10,
                 enable_cleanup_closed=False, loop=None):
        if limit < 0 or limit_per_host < 0:
            raise ValueError("limit and limit_per_host must be >= 0")
        self._verify = _verify_flag(ssl) and bool(verify_ssl)
        self._limit = limit
        self._limit_per_host = limit_per_host
        self._cafile = cafile
        self._capath = capath
        self._certfile = certfile
        self._keyfile = keyfile
        self._keepalive_timeout = keepalive_timeout
        self._force_close = force_close
        self._resolver = resolver
        self._closed = False
        self._runtime = None
        # (verify, trust_env) -> async_session_t *
        self._sessions = {}
        self._finalizer = weakref.finalize(self, _close_sessions,
                                           self._sessions)

    @property
    def limit(self):
        return self._limit

    @property
    def limit_per_host(self):
        return self._limit_per_host

    @property
    def force_close(self):
        return self._force_close

    @property
    def closed(self):
        return self._closed

    def _session(self, runtime, verify, trust_env):
        """The C session for a request (made on first use)."""
        if self._closed:
            raise RuntimeError("Connector is closed")
        if self._runtime is not runtime:
            if self._runtime is not None and not self._runtime.closed:
                raise RuntimeError("the connector is bound to another "
                                   "asyncio event loop")
            self._runtime = runtime
            _close_sessions(self._sessions)
        key = (verify and self._verify, bool(trust_env))
        ptr = self._sessions.get(key)
        if ptr is None:
            ptr = self._new_session(runtime, *key)
            self._sessions[key] = ptr
        return ptr

    def _new_session(self, runtime, verify, trust_env):
        out = c_void_p()
        capi.check(_lib.async_session_new(byref(out), runtime.ptr))
        ptr = out.value
        try:
            ints = [(capi.SESSION_LIMIT, self._limit or 1 << 30),
                    (capi.SESSION_LIMIT_PER_HOST, self._limit_per_host),
                    # Redirects are followed here, for response.history.
                    (capi.SESSION_FOLLOW_REDIRECTS, 0)]
            if not verify:
                ints.append((capi.SESSION_VERIFY_PEER, 0))
            if trust_env:
                ints.append((capi.SESSION_PROXY_FROM_ENV, 1))
            if self._force_close:
                ints.append((capi.SESSION_MAX_REQUESTS_PER_CONNECTION, 1))
            for opt, value in ints:
                capi.check(_lib.async_session_set_int(ptr, opt, value))
            # The defaults of DEFAULT_TIMEOUT, so that requests with it
            # need no option of their own (see ClientTimeout._c_options).
            capi.check(_lib.async_session_set_double(
                ptr, capi.SESSION_CONNECT_TIMEOUT, 30.0))
            if self._keepalive_timeout is not None:
                capi.check(_lib.async_session_set_double(
                    ptr, capi.SESSION_IDLE_TIMEOUT,
                    float(self._keepalive_timeout)))
            strs = [(capi.SESSION_CA_FILE, self._cafile),
                    (capi.SESSION_CA_DIR, self._capath),
                    (capi.SESSION_CERT_FILE, self._certfile),
                    (capi.SESSION_KEY_FILE, self._keyfile)]
            if self._resolver is not None and self._resolver.nameservers:
                strs.append((capi.SESSION_DNS_SERVERS,
                             ",".join(self._resolver.nameservers)))
            for opt, value in strs:
                if value is not None:
                    capi.check(_lib.async_session_set_str(
                        ptr, opt, str(value).encode()))
        except BaseException:
            _lib.async_session_release(ptr)
            raise
        return ptr

    def stats(self):
        """(connections opened so far, connections open now), over this
        connector's sessions."""
        opened_total = open_total = 0
        for ptr in self._sessions.values():
            opened, open_now = capi.c_int64(), capi.c_int64()
            capi.check(_lib.async_session_stats(ptr, byref(opened),
                                                byref(open_now)))
            opened_total += opened.value
            open_total += open_now.value
        return opened_total, open_total

    async def close(self):
        """Closes the connections (async_session_close); requests still
        in flight fail with ClientConnectionError."""
        self._close()

    def _close(self):
        self._closed = True
        _close_sessions(self._sessions)


def _close_sessions(sessions):
    for ptr in sessions.values():
        _lib.async_session_close(ptr)
        _lib.async_session_release(ptr)
    sessions.clear()


# ---- the body of a request --------------------------------------------------


async def _encode_body(data, json, json_serialize):
    """(bytes or None, default Content-Type or None)."""
    if json is not None:
        if data is not None:
            raise ValueError("data and json parameters can not be used at "
                             "the same time")
        return json_serialize(json).encode("utf-8"), "application/json"
    if data is None:
        return None, None
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data), "application/octet-stream"
    if isinstance(data, str):
        return data.encode("utf-8"), "text/plain; charset=utf-8"
    if isinstance(data, (dict, list, tuple, CIMultiDict, CIMultiDictProxy)):
        items = data.items() if hasattr(data, "items") else data
        return (urlencode(list(items)).encode("ascii"),
                "application/x-www-form-urlencoded")
    if isinstance(data, io.IOBase) or hasattr(data, "read"):
        content = data.read()
        if isinstance(content, str):
            return content.encode("utf-8"), "text/plain; charset=utf-8"
        return bytes(content), "application/octet-stream"
    if hasattr(data, "__aiter__"):
        # The body is sent in one piece: a libasync body producer runs on
        # the library's thread and cannot wait for an async iterator.
        parts = []
        async for part in data:
            parts.append(part.encode("utf-8") if isinstance(part, str)
                         else bytes(part))
        return b"".join(parts), "application/octet-stream"
    raise TypeError("data must be bytes, str, a dict or pairs (a form), a "
                    "file object or an async iterable, not %s"
                    % type(data).__name__)


# ---- streaming: the library's thread to the asyncio thread ------------------

# Streams by key, for the two ctypes callbacks below, which the library
# calls on its own thread. They only hand bytes over (see _Stream).
_streams = {}
_stream_keys = itertools.count(1).__next__


def _on_headers(response, key):
    stream = _streams.get(key)
    if stream is not None:
        stream._thread_headers(response)


def _on_data(response, data, size, key):
    stream = _streams.get(key)
    if stream is not None:
        stream._thread_data(response, data, size)


# Made once, alive as long as the module: C may call them at any time.
_ON_HEADERS = capi.HEADERS_CB(_on_headers)
_ON_DATA = capi.DATA_CB(_on_data)


class _Stream:
    """The hand-over of one streamed response from the library's thread
    (the _thread_* methods, tiny: append under a lock, pause when the
    buffer is over its bound, wake the asyncio thread) to the asyncio
    thread (everything else)."""

    __slots__ = ("key", "aloop", "lock", "chunks", "pending", "high", "low",
                 "paused", "wake_scheduled", "head", "exchange", "reader",
                 "broken")

    def __init__(self, key, aloop, bufsize):
        self.key = key
        self.aloop = aloop
        self.lock = threading.Lock()
        self.chunks = collections.deque()
        self.pending = 0  # bytes received and not yet read by the user
        # Back-pressure bounds, as aiohttp's StreamReader: pause reading
        # above twice the read buffer size, resume below it.
        self.high = 2 * bufsize
        self.low = bufsize
        self.paused = False
        self.wake_scheduled = False
        self.head = None  # async_response_t *, retained
        self.exchange = None
        self.reader = None
        self.broken = False  # a callback failed: the body is incomplete

    # -- on the library's thread --

    def _thread_headers(self, response):
        try:
            self.head = _response_retain(response)
            self._thread_wake(True)
        except BaseException:  # nothing may unwind into C: say it later
            self.broken = True

    def _thread_data(self, response, data, size):
        try:
            chunk = string_at(data, size)
            with self.lock:
                self.chunks.append(chunk)
                self.pending += size
                over = self.pending > self.high
                if over:
                    self.paused = True
            if over:
                # On the loop's thread this acts at once: no more reads.
                _response_pause(response)
            self._thread_wake(False)
        except BaseException:  # nothing may unwind into C: say it later
            self.broken = True

    def _thread_wake(self, force):
        with self.lock:
            if self.wake_scheduled and not force:
                return
            self.wake_scheduled = True
        try:
            self.aloop.call_soon_threadsafe(self.pump)
        except RuntimeError:  # the asyncio loop is closed
            pass

    # -- on the asyncio thread --

    def pump(self):
        """Moves what the library's thread handed over to the response."""
        with self.lock:
            self.wake_scheduled = False
            chunks = self.chunks
            if chunks:
                self.chunks = collections.deque()
            else:
                chunks = ()
        if self.reader is None:
            if self.head is None:
                return  # no data comes before the head
            self.exchange._headers_arrived(self.head)
        feed = self.reader._feed_data
        for chunk in chunks:
            feed(chunk)
        if self.broken and self.reader._exception is None:
            self.reader._set_exception(ClientPayloadError(
                "%s: a piece of the body was lost in the hand-over from the "
                "library's thread" % self.exchange.url))
            self.exchange.cancel()

    def consumed(self, size):
        """The user read `size` bytes: resume reading when below the low
        mark."""
        with self.lock:
            self.pending -= size
            resume = self.paused and self.pending <= self.low
            if resume:
                self.paused = False
        if resume and self.head is not None:
            _response_resume(self.head)

    def release(self):
        head, self.head = self.head, None
        if head:
            _response_release(head)


# ---- one exchange: a request sent, its response coming ----------------------


def _read_pairs(rptr):
    """The header fields of an async_response_t, as (name, value) pairs."""
    name, value = c_char_p(), c_char_p()
    name_ref, value_ref = byref(name), byref(value)
    pairs = []
    for i in range(_header_count(rptr)):
        if _header_at(rptr, i, name_ref, value_ref) == 0:
            pairs.append((name.value.decode("latin-1"),
                          value.value.decode("latin-1")))
    return pairs


def _read_reason(rptr):
    return (_reason(rptr) or b"").decode("latin-1")


def _read_version(rptr):
    return _HTTP10 if _version(rptr) == 10 else _HTTP11


def _read_body(rptr):
    size = c_size_t()
    data = _body(rptr, byref(size))
    return string_at(data, size.value) if size.value else b""


class _Exchange:
    """A request in flight, until its C future completes (_complete, on the
    asyncio thread, exactly once, also when the task was cancelled). The
    C future then goes to the response, or is released."""

    __slots__ = ("future", "waiter", "error", "response", "stream", "url",
                 "method", "request")

    def __init__(self, runtime, future, url, method, request, stream):
        self.future = future
        self.waiter = runtime.aloop.create_future()
        self.error = None
        self.response = None
        self.stream = stream
        self.url = url
        self.method = method
        self.request = request  # (url, method, headers) for request_info
        if stream is not None:
            stream.exchange = self
        try:
            runtime.watch(future, self)
        except BaseException:
            self.future = None
            _future_release(future)
            if stream is not None:
                _streams.pop(stream.key, None)
            raise

    def failure(self):
        """The exception for a request that failed before its head."""
        code, message = self.error
        return from_error(code, message, self.url, self._request_info())

    def _headers_arrived(self, rptr):
        """Streaming: the head came; the body follows through a reader."""
        response = ClientResponse(self.method, self.url, _status(rptr),
                                  self.request)
        response._reason = _read_reason(rptr)
        response._version = _read_version(rptr)
        response._header_pairs = _read_pairs(rptr)
        reader = StreamReader(self.stream)
        self.stream.reader = reader
        response._content = reader
        response._exchange = self
        self.response = response
        if not self.waiter.done():
            self.waiter.set_result(None)

    def _complete(self):
        future, self.future = self.future, None
        stream = self.stream
        owned = False
        try:
            if _future_state(future) == _DONE:
                rptr = _future_value(future)
                if stream is None:
                    # The response keeps the C future and reads the rest of
                    # the head, and the body, when asked.
                    response = ClientResponse(self.method, self.url,
                                              _status(rptr), self.request)
                    response._cfuture = future
                    response._cresponse = rptr
                    self.response = response
                    owned = True
                else:
                    stream.pump()
                    if stream.reader is None:
                        self._headers_arrived(rptr)
                    stream.reader._feed_eof()
            else:
                code, message = capi.future_failure(future)
                if stream is not None:
                    stream.pump()
                if stream is not None and stream.reader is not None:
                    stream.reader._set_exception(from_error(
                        code, message, self.url, self._request_info(),
                        in_body=True))
                else:
                    self.error = (code, message)
        finally:
            if not owned:
                _future_release(future)
            if stream is not None:
                _streams.pop(stream.key, None)
                stream.release()
            if not self.waiter.done():
                self.waiter.set_result(None)

    def _request_info(self):
        return _request_info(self.request)

    def cancel(self):
        """Stops the request (closing its connection) if it is still in
        flight."""
        if self.future is not None:
            _future_cancel(self.future)


def _request_info(request):
    url, method, headers = request
    url = URL(url)
    return RequestInfo(url, method, CIMultiDictProxy(headers), url)


class _RequestContextManager:
    """What session.get() and friends return: awaitable (giving the
    response) and an async context manager (releasing it at the end).
    The request's coroutine stores its response here, so that entering
    the context is the coroutine itself and no extra frame."""

    __slots__ = ("_coro", "_response", "_entered")

    def __init__(self):
        self._coro = None
        self._response = None
        self._entered = False

    def __await__(self):
        return self._coro.__await__()

    def send(self, value):
        return self._coro.send(value)

    def throw(self, *args):
        return self._coro.throw(*args)

    def close(self):
        return self._coro.close()

    def __aenter__(self):
        self._entered = True
        return self._coro

    async def __aexit__(self, exc_type, exc, tb):
        response = self._response
        if response is not None:
            response._in_context = False
            response.release()


class _SessionRequestContextManager:
    """``async with libasync.request(...)``: a one-request session."""

    __slots__ = ("_coro", "_session", "_response")

    def __init__(self, coro, session):
        self._coro = coro
        self._session = session
        self._response = None

    def __await__(self):
        return self._await().__await__()

    async def _await(self):
        try:
            return await self._coro
        except BaseException:
            await self._session.close()
            raise

    async def __aenter__(self):
        self._response = await self._await()
        return self._response

    async def __aexit__(self, exc_type, exc, tb):
        self._response.release()
        await self._session.close()


# ---- the session ------------------------------------------------------------


class ClientSession:
    """aiohttp's ClientSession on libasync.

    base_url          relative request URLs are joined to it
    connector         a TCPConnector (one is made if None)
    headers           sent with every request (a request's own headers
                      replace those of the same name)
    timeout           a ClientTimeout (default: 300 s in all, 30 s to
                      connect)
    raise_for_status  True: raise ClientResponseError for status >= 400;
                      or an async callable called with each response
    trust_env         take the proxy from http_proxy/https_proxy/no_proxy
    auto_decompress   decode gzip and deflate bodies (default True)
    read_bufsize      the streaming buffer: reading pauses when twice as
                      much waits unread (default 64 KiB)
    stream            False (the default): a request's response comes
                      with its whole body; True: it comes at its head and
                      the body streams through response.content with
                      back-pressure (see the package's docstring). A
                      request's own stream= overrides it.
    """

    def __init__(self, base_url=None, *, connector=None, loop=None,
                 headers=None, timeout=_SENTINEL, raise_for_status=False,
                 trust_env=False, connector_owner=True, auto_decompress=True,
                 json_serialize=_json.dumps, read_bufsize=2 ** 16,
                 stream=False):
        if base_url is not None:
            base_url = URL(base_url)
            if not base_url.is_absolute():
                raise ValueError("base_url must be an absolute URL, not %r"
                                 % str(base_url))
        self._base_url = base_url
        if connector is None:
            connector = TCPConnector()
        elif connector.closed:
            raise RuntimeError("Connector is closed")
        self._connector = connector
        self._connector_owner = connector_owner
        self._default_headers = CIMultiDict(headers)
        self._encoded_headers = self._encode_headers(self._default_headers)
        if timeout is _SENTINEL:
            timeout = DEFAULT_TIMEOUT
        elif not isinstance(timeout, ClientTimeout):
            raise ValueError("timeout must be a ClientTimeout, not %r"
                             % (timeout,))
        self._timeout = timeout
        self._raise_for_status = raise_for_status
        self._trust_env = trust_env
        self._auto_decompress = auto_decompress
        self._json_serialize = json_serialize
        self._read_bufsize = read_bufsize
        self._stream = stream
        self._closed = False
        self._cached_runtime = None

    # -- properties --

    @property
    def closed(self):
        return self._closed or self._connector.closed

    @property
    def connector(self):
        return self._connector

    @property
    def headers(self):
        return self._default_headers

    @property
    def timeout(self):
        return self._timeout

    @property
    def trust_env(self):
        return self._trust_env

    @property
    def auto_decompress(self):
        return self._auto_decompress

    @property
    def raise_for_status(self):
        return self._raise_for_status

    @property
    def connector_owner(self):
        return self._connector_owner

    # -- the verbs --

    def _call(self, method, url, kwargs):
        manager = _RequestContextManager()
        manager._coro = self._request(method, url, manager, **kwargs)
        return manager

    def request(self, method, url, **kwargs):
        return self._call(method.upper(), url, kwargs)

    def get(self, url, **kwargs):
        return self._call("GET", url, kwargs)

    def options(self, url, **kwargs):
        return self._call("OPTIONS", url, kwargs)

    def head(self, url, *, allow_redirects=False, **kwargs):
        kwargs["allow_redirects"] = allow_redirects
        return self._call("HEAD", url, kwargs)

    def post(self, url, *, data=None, **kwargs):
        kwargs["data"] = data
        return self._call("POST", url, kwargs)

    def put(self, url, *, data=None, **kwargs):
        kwargs["data"] = data
        return self._call("PUT", url, kwargs)

    def patch(self, url, *, data=None, **kwargs):
        kwargs["data"] = data
        return self._call("PATCH", url, kwargs)

    def delete(self, url, **kwargs):
        return self._call("DELETE", url, kwargs)

    # -- closing --

    async def close(self):
        """Closes the session and, if it owns it, its connector: open
        connections are closed and requests in flight fail."""
        if not self._closed:
            self._closed = True
            if self._connector_owner:
                self._connector._close()

    def detach(self):
        self._closed = True

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        await self.close()

    def __enter__(self):
        raise TypeError("Use async with instead")

    def __exit__(self, exc_type, exc, tb):
        pass  # pragma: no cover - __enter__ raises

    def __del__(self, _warn=warnings.warn):
        if not getattr(self, "_closed", True) and self._connector_owner:
            try:
                _warn("Unclosed client session %r" % (self,), ResourceWarning,
                      source=self)
            except Exception:  # interpreter teardown
                pass

    # -- the work --

    @staticmethod
    def _encode_headers(headers):
        return [(k.encode("latin-1"), str(v).encode("latin-1"))
                for k, v in headers.items()]

    def _build_url(self, url):
        url = str(url)
        if self._base_url is not None and not urlsplit(url).scheme:
            return urljoin(self._base_url, url)
        return url

    def _runtime(self):
        """The Runtime of the running asyncio loop (cached)."""
        aloop = asyncio.get_running_loop()
        cached = self._cached_runtime
        if cached is not None and cached[0] is aloop and \
                not cached[1].closed:
            return cached[1]
        runtime = _runtime.get()
        self._cached_runtime = (aloop, runtime)
        return runtime

    async def _request(self, method, str_or_url, manager=None, *,
                       params=None, data=None,
                       json=None, headers=None, allow_redirects=True,
                       max_redirects=10, timeout=_SENTINEL, ssl=True,
                       raise_for_status=None, read_bufsize=None,
                       auto_decompress=None, verify_ssl=None, stream=None,
                       **unsupported):
        if unsupported:
            raise TypeError("%s() got argument(s) libasync does not support: "
                            "%s" % (method.lower(),
                                    ", ".join(sorted(unsupported))))
        if self._closed or self._connector._closed:
            raise RuntimeError("Session is closed")
        runtime = self._runtime()
        method = method.upper()
        url = self._build_url(str_or_url)
        if params is not None:
            url = _with_params(url, params)
        url = _quote_url(url)
        if data is None and json is None:
            body = None
            content_type = None
        else:
            body, content_type = await _encode_body(data, json,
                                                    self._json_serialize)
        # The headers, encoded: the session's, replaced by the request's.
        if headers:
            request_headers = self._default_headers.copy()
            request_headers.update(headers)
            encoded = self._encode_headers(request_headers)
        else:
            request_headers = self._default_headers
            encoded = self._encoded_headers
        if content_type is not None and "Content-Type" not in request_headers:
            encoded = encoded + [(b"Content-Type", content_type.encode())]
        if timeout is _SENTINEL:
            options = self._timeout._options
        else:
            options = _timeout_options(timeout)
        decompress = (self._auto_decompress if auto_decompress is None
                      else auto_decompress)
        if not decompress:
            options = options + ((capi.SESSION_DECOMPRESS, 0),)
        if ssl is True and verify_ssl is None:
            verify = True
        else:
            verify = _verify_flag(ssl) and verify_ssl is not False
        session = self._connector._session(runtime, verify, self._trust_env)
        if stream is None:
            stream = self._stream
        bufsize = read_bufsize or self._read_bufsize

        history = []
        while True:
            exchange = self._start(runtime, session, method, url, encoded,
                                   request_headers, body, options,
                                   stream and method != "HEAD", bufsize)
            try:
                await exchange.waiter
            except asyncio.CancelledError:
                exchange.cancel()
                raise
            response = exchange.response
            if response is None:
                raise exchange.failure()
            exchange.response = None
            if history:
                response._history = tuple(history)
            if not allow_redirects or response.status not in _REDIRECTS:
                break
            location = response.headers.get("Location")
            if not location:
                break
            target = urljoin(url, location)
            if urlsplit(target).scheme not in ("http", "https"):
                break  # never followed, as the library's own policy
            history.append(response)
            if max_redirects and len(history) >= max_redirects:
                response.release()
                raise TooManyRedirects(history[0].request_info,
                                       tuple(history),
                                       status=response.status,
                                       message="Too many redirects "
                                       "(more than %d)" % max_redirects)
            await response._discard()
            status = response.status
            if (status == 303 and method != "HEAD") or (
                    status in (301, 302) and method not in ("GET", "HEAD")):
                method, body = "GET", None
                encoded = [h for h in encoded
                           if h[0].lower() != b"content-type"]
            if _origin(target) != _origin(url):
                encoded = [h for h in encoded
                           if h[0].lower() not in (b"authorization",
                                                   b"cookie")]
            url = _quote_url(target)

        check = self._raise_for_status if raise_for_status is None \
            else raise_for_status
        if check is True:
            response.raise_for_status()
        elif check:
            await check(response)
        if manager is not None:
            manager._response = response
            # Inside `async with`, raise_for_status() leaves the body
            # readable: the context's end releases it.
            response._in_context = manager._entered
        return response

    @staticmethod
    def _start(runtime, session, method, url, encoded, request_headers, body,
               options, stream, bufsize):
        """Sends one request; returns its _Exchange, whose waiter is done
        once the head came (streaming) or all came (otherwise)."""
        request_state = (url, method, request_headers)
        out_ref = runtime.out_ref
        if not (encoded or body is not None or options or stream) and \
                method in _SIMPLE:
            # One call makes, sends and releases the request.
            rv = _SIMPLE[method](session, url.encode("utf-8"), out_ref)
            if rv < 0:
                raise from_error(rv, "%s: %s" % (url, capi.strerror(rv)),
                                 url, _request_info(request_state))
            return _Exchange(runtime, runtime.out.value, url, method,
                             request_state, None)
        rv = _request_new(out_ref, method.encode("ascii"),
                          url.encode("utf-8"))
        if rv < 0:
            raise from_error(rv, "%s: %s" % (url, capi.strerror(rv)), url,
                             _request_info(request_state))
        request = runtime.out.value
        streamer = None
        try:
            for name, value in encoded:
                rv = _add_header(request, name, value)
                if rv < 0:
                    raise ValueError("invalid header %r: %s"
                                     % (name.decode("latin-1"),
                                        capi.strerror(rv)))
            if body is not None:
                capi.check(_set_body(request, body, len(body)))
            for opt, value in options:
                if opt < 20000:
                    capi.check(_request_set_int(request, opt, value))
                else:
                    capi.check(_request_set_double(request, opt, value))
            if stream:
                key = _stream_keys()
                streamer = _Stream(key, runtime.aloop, bufsize)
                capi.check(_set_streaming(request, _ON_HEADERS, _ON_DATA,
                                          key))
                _streams[key] = streamer
            rv = _send(session, request, out_ref)
            if rv < 0:
                raise from_error(rv, "%s: %s" % (url, capi.strerror(rv)), url,
                                 _request_info(request_state))
        except BaseException:
            if streamer is not None:
                _streams.pop(streamer.key, None)
            raise
        finally:
            _request_release(request)
        return _Exchange(runtime, runtime.out.value, url, method,
                         request_state, streamer)


# ---- the response -----------------------------------------------------------


class StreamReader:
    """The body of a response as it arrives (``response.content``), with
    aiohttp's StreamReader methods. Reading it frees room in the
    back-pressure window, which resumes a paused transfer."""

    def __init__(self, source=None):
        self._buffer = collections.deque()
        self._size = 0
        self._eof = False
        self._exception = None
        self._waiter = None
        self._source = source
        self._total_bytes = 0

    # -- fed on the asyncio thread --

    def _feed_data(self, data):
        self._buffer.append(data)
        self._size += len(data)
        self._total_bytes += len(data)
        self._wake()

    def _feed_eof(self):
        self._eof = True
        self._wake()

    def _set_exception(self, exc):
        self._exception = exc
        self._wake()

    def _wake(self):
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _wait(self, name):
        if self._waiter is not None:
            raise RuntimeError("%s() called while another coroutine is "
                               "already waiting for incoming data" % name)
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def _consumed(self, size):
        self._size -= size
        if self._source is not None:
            self._source.consumed(size)

    def _take(self, n):
        """Up to n bytes (n < 0: all) of what is buffered."""
        buffer = self._buffer
        if n < 0 or n >= self._size:
            data = buffer[0] if len(buffer) == 1 else b"".join(buffer)
            buffer.clear()
        else:
            parts, want = [], n
            while want:
                chunk = buffer[0]
                if len(chunk) <= want:
                    parts.append(buffer.popleft())
                    want -= len(chunk)
                else:
                    parts.append(chunk[:want])
                    buffer[0] = chunk[want:]
                    want = 0
            data = parts[0] if len(parts) == 1 else b"".join(parts)
        self._consumed(len(data))
        return data

    async def _fill(self, name):
        """Waits until something is buffered or the end came."""
        while not self._buffer and not self._eof:
            if self._exception is not None:
                raise self._exception
            await self._wait(name)
        if self._exception is not None:
            raise self._exception

    # -- aiohttp's API --

    def exception(self):
        return self._exception

    def is_eof(self):
        return self._eof

    def at_eof(self):
        return self._eof and not self._buffer

    @property
    def total_bytes(self):
        return self._total_bytes

    async def read(self, n=-1):
        """Up to n bytes; all until the end if n < 0. b"" at the end."""
        if self._exception is not None:
            raise self._exception
        if n == 0:
            return b""
        if n < 0:
            parts = []
            while True:
                await self._fill("read")
                if not self._buffer:
                    return b"".join(parts)
                parts.append(self._take(-1))
        await self._fill("read")
        return self._take(n) if self._buffer else b""

    async def readany(self):
        await self._fill("readany")
        if not self._buffer:
            return b""
        chunk = self._buffer.popleft()
        self._consumed(len(chunk))
        return chunk

    async def readchunk(self):
        """(data, end_of_http_chunk): the pieces as they arrived."""
        chunk = await self.readany()
        return chunk, False

    async def readexactly(self, n):
        parts, got = [], 0
        while got < n:
            await self._fill("readexactly")
            if not self._buffer:
                partial = b"".join(parts)
                raise asyncio.IncompleteReadError(partial, n)
            part = self._take(n - got)
            parts.append(part)
            got += len(part)
        return b"".join(parts)

    async def readuntil(self, separator=b"\n"):
        if not separator:
            raise ValueError("Separator should be at least one-byte string")
        parts = []
        while True:
            await self._fill("readuntil")
            if not self._buffer:
                return b"".join(parts)
            chunk = self._buffer[0]
            # A separator may straddle pieces: look at the joined tail.
            tail = (parts[-1][-(len(separator) - 1):] if parts and
                    len(separator) > 1 else b"")
            at = (tail + chunk).find(separator)
            if at >= 0:
                end = at + len(separator) - len(tail)
                parts.append(self._take(end))
                return b"".join(parts)
            parts.append(self._take(len(chunk)))

    async def readline(self):
        return await self.readuntil(b"\n")

    def iter_chunked(self, n):
        """Pieces of at most n bytes."""
        return _AsyncIterator(lambda: self.read(n))

    def iter_any(self):
        """The pieces as they arrive."""
        return _AsyncIterator(self.readany)

    def iter_chunks(self):
        """(data, end_of_http_chunk) pairs."""
        return _AsyncIterator(self.readchunk, lambda item: item == (b"", False)
                              and self.at_eof())

    def __aiter__(self):
        """Line by line."""
        return _AsyncIterator(self.readline)

    def __repr__(self):
        return "<StreamReader %d bytes%s>" % (self._size,
                                              " eof" if self._eof else "")


class _AsyncIterator:
    __slots__ = ("_read", "_at_end")

    def __init__(self, read, at_end=None):
        self._read = read
        self._at_end = at_end or (lambda item: item == b"")

    def __aiter__(self):
        return self

    async def __anext__(self):
        item = await self._read()
        if self._at_end(item):
            raise StopAsyncIteration
        return item


class ClientResponse:
    """A response: status and headers at once, the body read with read(),
    text(), json() or through content (a StreamReader).

    A response that was not streamed keeps its C future (and so the C
    response) until it is garbage-collected, reading the reason, headers
    and body from it on first use; a large body, once read, lets it go at
    once."""

    __slots__ = ("method", "status", "_url", "_request", "_cfuture",
                 "_cresponse", "_reason", "_version", "_header_pairs",
                 "_headers", "_history", "_body", "_content", "_exchange",
                 "_released", "_in_context", "__weakref__")

    # Bodies at least this large are copied out and the C response freed.
    _KEEP_LIMIT = 1 << 18

    def __init__(self, method, url, status, request):
        self.method = method
        self.status = status
        self._url = url
        self._request = request
        self._cfuture = None
        self._cresponse = None
        self._reason = None
        self._version = None
        self._header_pairs = None
        self._headers = None
        self._history = ()
        self._body = None
        self._content = None
        self._exchange = None  # while the body streams
        self._released = False
        self._in_context = False

    def _drop_c(self):
        """Reads the head from the C response, then releases it."""
        future = self._cfuture
        if future is not None:
            rptr = self._cresponse
            if self._reason is None:
                self._reason = _read_reason(rptr)
            if self._version is None:
                self._version = _read_version(rptr)
            if self._header_pairs is None:
                self._header_pairs = _read_pairs(rptr)
            self._cfuture = self._cresponse = None
            _future_release(future)

    def __del__(self):
        future = self._cfuture
        if future is not None and _future_release is not None:
            self._cfuture = self._cresponse = None
            _future_release(future)
        exchange = self._exchange
        if exchange is not None and exchange.future is not None:
            try:
                exchange.cancel()
            except Exception:  # interpreter teardown
                pass

    # -- the head --

    @property
    def reason(self):
        if self._reason is None:
            self._reason = (_read_reason(self._cresponse)
                            if self._cresponse else "")
        return self._reason

    @property
    def version(self):
        if self._version is None:
            self._version = (_read_version(self._cresponse)
                             if self._cresponse else _HTTP11)
        return self._version

    @property
    def url(self):
        return URL(self._url)

    real_url = url

    @property
    def host(self):
        return URL(self._url).host

    @property
    def headers(self):
        if self._headers is None:
            if self._header_pairs is None:
                self._header_pairs = (_read_pairs(self._cresponse)
                                      if self._cresponse else [])
            self._headers = CIMultiDictProxy._from_pairs(self._header_pairs)
        return self._headers

    @property
    def raw_headers(self):
        return tuple((k.encode("latin-1"), v.encode("latin-1"))
                     for k, v in self.headers.items())

    @property
    def history(self):
        return self._history

    @property
    def request_info(self):
        return _request_info(self._request)

    @property
    def ok(self):
        return self.status < 400

    @property
    def content_type(self):
        value = self.headers.get("Content-Type", "application/octet-stream")
        return value.split(";", 1)[0].strip().lower()

    @property
    def charset(self):
        match = _CHARSET.search(self.headers.get("Content-Type", ""))
        return match.group(1).lower() if match else None

    @property
    def content_length(self):
        value = self.headers.get("Content-Length")
        return int(value) if value is not None and value.isdigit() else None

    def raise_for_status(self):
        if self.status >= 400:
            if not self._in_context:
                self.release()
            raise ClientResponseError(self.request_info, self._history,
                                      status=self.status,
                                      message=self.reason,
                                      headers=self.headers)

    # -- the body --

    def _take_body(self):
        """The buffered body, copied out of the C response."""
        if self._body is None:
            self._body = (_read_body(self._cresponse) if self._cresponse
                          else b"")
            if len(self._body) >= self._KEEP_LIMIT:
                self._drop_c()
        return self._body

    @property
    def content(self):
        if self._content is None:
            if self._released and self._body is None:
                raise ClientConnectionError("Connection closed")
            reader = StreamReader()
            body = self._take_body()
            if body:
                reader._feed_data(body)
            reader._feed_eof()
            self._content = reader
        return self._content

    async def read(self):
        """The whole body (decoded, as the session decompresses)."""
        body = self._body
        if body is not None:
            return body
        if self._content is None:
            if self._released:
                raise ClientConnectionError("Connection closed")
            return self._take_body()
        try:
            self._body = await self._content.read()
        except BaseException:
            self.close()
            raise
        return self._body

    def get_encoding(self):
        charset = self.charset
        if charset:
            try:
                return codecs.lookup(charset).name
            except LookupError:
                pass
        return "utf-8"

    async def text(self, encoding=None, errors="strict"):
        body = await self.read()
        return body.decode(encoding or self.get_encoding(), errors)

    async def json(self, *, encoding=None, loads=_json.loads,
                   content_type="application/json"):
        body = await self.read()
        if content_type:
            ctype = self.headers.get("Content-Type", "").lower()
            matches = (_JSON_TYPE.match(ctype) is not None
                       if content_type == "application/json"
                       else content_type in ctype)
            if not matches:
                raise ContentTypeError(
                    self.request_info, self._history, status=self.status,
                    message="Attempt to decode JSON with unexpected "
                    "mimetype: %s" % ctype, headers=self.headers)
        stripped = body.strip()
        if not stripped:
            return None
        return loads(stripped.decode(encoding or self.get_encoding()))

    async def _discard(self):
        """Reads a redirect's (small) body so that its connection is
        reused, then releases it."""
        exchange = self._exchange
        if exchange is not None and exchange.future is not None:
            try:
                await asyncio.wait_for(self._content.read(), 5)
            except (ClientPayloadError, asyncio.TimeoutError):
                pass
        self.release()

    # -- the end --

    @property
    def closed(self):
        return self._released

    def release(self):
        """Gives the connection back: if the body was not read to its end,
        the transfer is stopped and its connection closed. An unread
        buffered body is freed."""
        if not self._released:
            self._released = True
            if self._body is None and self._cfuture is not None:
                self._drop_c()
            exchange, self._exchange = self._exchange, None
            if exchange is not None and exchange.future is not None:
                exchange.cancel()
                content = self._content
                if content._exception is None and not content._eof:
                    content._set_exception(
                        ClientConnectionError("Connection closed"))
        return _NOOP

    def close(self):
        self.release()

    async def wait_for_close(self):
        self.release()

    async def __aenter__(self):
        self._in_context = True
        return self

    async def __aexit__(self, exc_type, exc, tb):
        self._in_context = False
        self.release()

    def __repr__(self):
        return "<ClientResponse(%s) [%d %s]>" % (self._url, self.status,
                                                 self.reason)


class _Noop:
    """What release() returns: awaitable for old aiohttp code, and
    nothing to warn about when not awaited."""

    __slots__ = ()

    def __await__(self):
        return iter(())


_NOOP = _Noop()


def request(method, url, **kwargs):
    """``async with libasync.request("GET", url) as resp``: one request
    in a session of its own. Session keywords (connector, timeout, ...)
    go to the session, the others to the request."""
    session_keys = ("connector", "timeout", "trust_env")
    session_kwargs = {k: kwargs.pop(k) for k in session_keys if k in kwargs}
    session = ClientSession(**session_kwargs)
    return _SessionRequestContextManager(
        session._request(method, url, **kwargs), session)
