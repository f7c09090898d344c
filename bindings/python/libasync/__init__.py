"""libasync for Python: aiohttp's client API on the libasync C library.

    import asyncio
    from libasync import ClientSession

    async def main():
        async with ClientSession() as session:
            async with session.get("http://127.0.0.1:8080/") as response:
                print(response.status, await response.text())

    asyncio.run(main())

Pure Python on ctypes, standard library only. The library is loaded by its
SONAME, ``libasync.so.1``, or from the path in the environment variable
``LIBASYNC_LIBRARY``; importing fails with a clear ImportError when it is
missing or older than this binding needs. :mod:`libasync.capi` is the C API
one to one, for those who want the C model (loops, futures, sleep, gather,
call_soon).

How the two sides meet
----------------------

Each asyncio loop that uses libasync gets one C loop running in *runtime
mode*: a library-owned thread (``async_loop_start_thread``) does the
network work -- DNS, connecting, TLS, HTTP parsing, decompression -- in
parallel with the Python thread. Every request's future is registered with
``async_future_notify(future, token)``; the C loop's completion fd
(``async_loop_completion_fd``) is watched with ``loop.add_reader``, and
when it turns readable the asyncio thread drains the tokens
(``async_loop_drain``) and completes the matching asyncio futures. So
completions are handled on the Python thread, and for them no Python code
runs on the library's thread.

Two paths, chosen per request:

* **Buffered** (the default): the library reads the whole response, body
  included, and the request's future completes once with all of it;
  ``await session.get(url)`` returns then, and ``read()``, ``text()``,
  ``json()`` and ``content`` work on the body in memory. No Python code
  runs on the library's thread, and a request costs the asyncio thread
  only a handful of ctypes calls. This differs from aiohttp, whose
  ``get()`` returns at the headers: a body is held in memory whole.

* **Streaming** (``stream=True``, on the session or the request): ``await
  session.get(url)`` returns once the status and headers have arrived, and
  the body comes through ``response.content`` as it arrives, in bounded
  memory -- for large or endless bodies. The C API offers a body as it
  arrives only through callbacks on the loop's thread (``on_headers`` and
  ``on_data`` of ``async_request_set_streaming``) and has no way to buffer
  it in C without one, so this path uses two ctypes callbacks, made once
  for the module (they outlive every request). They do nothing but hand
  data over: ``on_headers`` takes a reference on the response and
  ``on_data`` copies the bytes; each appends to the request's queue under a
  lock and, if no wake-up is pending yet, calls
  ``loop.call_soon_threadsafe`` so that the asyncio thread moves the data
  to ``response.content``. Back-pressure: when the bytes handed over and
  not yet read by the user exceed twice ``read_bufsize`` (64 KiB by
  default, as aiohttp), the callback calls ``async_response_pause`` (the
  server is then slowed by TCP); when the reader has brought them down to
  ``read_bufsize``, the asyncio thread calls ``async_response_resume``. A
  response's memory is thus bounded by about twice ``read_bufsize`` plus
  one read of the library. Each callback takes the GIL on the library's
  thread, contending with the asyncio thread, which is why this is not
  the default: for small responses it costs two to three times the CPU of
  the buffered path. (The library's thread keeps a Python thread state for
  its life, so that each callback does not make and free one.)

HEAD requests, which have no body, always take the buffered path.

Redirects are followed by the binding (with the library's rules: 303, and
301/302 for methods other than GET and HEAD, become a GET without body;
307/308 keep method and body; Authorization and Cookie are dropped across
origins; a Location that is not http(s) is not followed), so that
``response.history`` holds each intermediate response, as in aiohttp.

Errors: every libasync error code maps to one of aiohttp's exception
classes (see :mod:`libasync.client_exceptions`), with the C code in
``errno`` and the library's message in ``str(exc)``. Timeouts raise
``ServerTimeoutError``, an ``asyncio.TimeoutError``. Cancelling the task
that awaits a request cancels the C request (its connection is closed);
closing the session closes its connections (``async_session_close``); C
references held by a response, a connector or a future are released when
the Python object is garbage-collected.
"""

from . import capi
from .capi import LibasyncError
from .client import (DEFAULT_TIMEOUT, AsyncResolver, ClientResponse,
                     ClientSession, ClientTimeout, HttpVersion, RequestInfo,
                     StreamReader, TCPConnector, URL, request)
from .client_exceptions import (ClientConnectionError,
                                ClientConnectorCertificateError,
                                ClientConnectorDNSError, ClientConnectorError,
                                ClientConnectorSSLError, ClientError,
                                ClientOSError, ClientPayloadError,
                                ClientProxyConnectionError,
                                ClientResponseError, ClientSSLError,
                                ContentTypeError, InvalidURL,
                                InvalidUrlClientError, NonHttpUrlClientError,
                                ServerConnectionError,
                                ServerDisconnectedError, ServerTimeoutError,
                                TooManyRedirects)
from .multidict import CIMultiDict, CIMultiDictProxy

__version__ = "0.1.0"

#: The version of the loaded C library ("0.1.0").
library_version = capi.version()

__all__ = [
    "capi", "LibasyncError", "ClientSession", "ClientResponse",
    "ClientTimeout", "TCPConnector", "AsyncResolver", "StreamReader",
    "RequestInfo", "URL", "HttpVersion", "DEFAULT_TIMEOUT", "request",
    "CIMultiDict", "CIMultiDictProxy",
    "ClientError", "ClientResponseError", "ContentTypeError",
    "TooManyRedirects", "ClientConnectionError", "ClientOSError",
    "ClientConnectorError", "ClientConnectorDNSError",
    "ClientProxyConnectionError", "ClientSSLError",
    "ClientConnectorSSLError", "ClientConnectorCertificateError",
    "ServerConnectionError", "ServerDisconnectedError",
    "ServerTimeoutError", "ClientPayloadError", "InvalidURL",
    "InvalidUrlClientError", "NonHttpUrlClientError",
]
