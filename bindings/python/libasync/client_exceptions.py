"""The client's exceptions, named and nested as aiohttp's.

Every exception that comes from a libasync error carries the C error code
as ``errno`` (a negative async_err_t, e.g. -12 for ASYNC_ECERT), its name
as ``error_name`` ("ASYNC_ECERT"), and the library's message, which names
the URL and what happened, in ``str(exc)``. Exceptions the binding raises
itself (an HTTP status with raise_for_status, a content type) have
``errno`` None.

    ClientError
     +-- ClientResponseError             status, message, headers, history
     |    +-- ContentTypeError
     |    +-- TooManyRedirects
     +-- ClientConnectionError
     |    +-- ClientOSError (also OSError)
     |    |    +-- ClientConnectorError
     |    |         +-- ClientConnectorDNSError
     |    |         +-- ClientProxyConnectionError
     |    |         +-- ClientSSLError
     |    |              +-- ClientConnectorSSLError (also ssl.SSLError)
     |    |              +-- ClientConnectorCertificateError
     |    |                                 (also ssl.CertificateError)
     |    +-- ServerConnectionError
     |         +-- ServerDisconnectedError
     |         +-- ServerTimeoutError (also asyncio.TimeoutError)
     +-- ClientPayloadError
     +-- InvalidURL (also ValueError)
          +-- InvalidUrlClientError
          +-- NonHttpUrlClientError

Which async_err_t becomes which (see :data:`ERROR_CLASSES`):

    ASYNC_EURL                          InvalidUrlClientError
    ASYNC_ESCHEME                       NonHttpUrlClientError
    ASYNC_EDNS                          ClientConnectorDNSError
    ASYNC_EPROXYDNS                     ClientProxyConnectionError
    ASYNC_ECONNECT                      ClientConnectorError
    ASYNC_ETLS                          ClientConnectorSSLError
    ASYNC_ECERT                         ClientConnectorCertificateError
    ASYNC_ETIMEDOUT                     ServerTimeoutError
    ASYNC_EEMPTY                        ServerDisconnectedError
    ASYNC_ESEND, ASYNC_ERECV, ASYNC_EIO ClientOSError
    ASYNC_ECANCELLED, ASYNC_ECLOSED     ClientConnectionError (a request
                                        cancelled by its session's close;
                                        a cancelled task gets CancelledError)
    ASYNC_EPROTO, ASYNC_ETOOLARGE       ClientResponseError (status 0)
    ASYNC_EREDIRECTS                    TooManyRedirects
    ASYNC_EPARTIAL, ASYNC_EDECODE       ClientPayloadError
    ASYNC_EINVAL, ASYNC_ENOMEM,
    ASYNC_EBUSY                         ClientError

An error that arrives while the body is being read through
``response.content`` (after the status and headers were delivered) is a
ClientPayloadError whatever its code, as in aiohttp; a timeout stays a
ServerTimeoutError.
"""

import asyncio
import ssl

from . import capi

__all__ = [
    "ClientError", "ClientResponseError", "ContentTypeError",
    "TooManyRedirects", "ClientConnectionError", "ClientOSError",
    "ClientConnectorError", "ClientConnectorDNSError",
    "ClientProxyConnectionError", "ClientSSLError",
    "ClientConnectorSSLError", "ClientConnectorCertificateError",
    "ServerConnectionError", "ServerDisconnectedError",
    "ServerTimeoutError", "ClientPayloadError", "InvalidURL",
    "InvalidUrlClientError", "NonHttpUrlClientError", "from_error",
]


class _Coded:
    """The C error behind an exception: errno, error_name, message."""

    errno = None
    error_name = None
    message = ""

    def _set_error(self, code, message):
        self.errno = code
        self.error_name = capi.err_name(code) if code is not None else None
        self.message = message
        if isinstance(self, OSError):
            self.strerror = message

    def __str__(self):
        if self.error_name is not None:
            return "%s (%s)" % (self.message, self.error_name)
        return self.message


class ClientError(_Coded, Exception):
    """Base class of the client's exceptions."""

    def __init__(self, message="", errno=None):
        super().__init__(message)
        self._set_error(errno, message)


class ClientResponseError(ClientError):
    """A response (or a failure once a response was expected) that the
    caller asked to treat as an error. ``status`` is the HTTP status (0 if
    none was read); ``code`` is its old aiohttp alias."""

    def __init__(self, request_info=None, history=(), *, status=0,
                 message="", headers=None, errno=None):
        super().__init__(message, errno)
        self.request_info = request_info
        self.history = history
        self.status = status
        self.headers = headers

    @property
    def code(self):
        return self.status

    def __str__(self):
        url = self.request_info.real_url if self.request_info else None
        text = "%s, message=%r, url=%r" % (
            self.status, self.message, str(url) if url else None)
        if self.error_name is not None:
            text += " (%s)" % self.error_name
        return text


class ContentTypeError(ClientResponseError):
    """response.json() found another content type."""


class TooManyRedirects(ClientResponseError):
    """More redirects than max_redirects."""


class ClientConnectionError(ClientError):
    """The connection failed, or was lost."""


class ClientOSError(ClientConnectionError, OSError):
    """Sending or receiving failed."""

    def __init__(self, message="", errno=None):
        OSError.__init__(self, message)
        self._set_error(errno, message)


class ClientConnectorError(ClientOSError):
    """No connection could be made: DNS, TCP or TLS."""


class ClientConnectorDNSError(ClientConnectorError):
    """The host name could not be resolved."""


class ClientProxyConnectionError(ClientConnectorError):
    """The proxy could not be reached."""


class ClientSSLError(ClientConnectorError):
    """Base class of the TLS failures."""


class ClientConnectorSSLError(ClientSSLError, ssl.SSLError):
    """The TLS handshake failed."""


class ClientConnectorCertificateError(ClientSSLError, ssl.CertificateError):
    """The server's certificate could not be verified."""


class ServerConnectionError(ClientConnectionError):
    """The server broke the exchange."""


class ServerDisconnectedError(ServerConnectionError):
    """The server closed the connection without an answer."""


class ServerTimeoutError(ServerConnectionError, asyncio.TimeoutError):
    """A timeout ran out (its message names the phase)."""

    def __init__(self, message="", errno=None):
        asyncio.TimeoutError.__init__(self, message)
        self._set_error(errno, message)


class ClientPayloadError(ClientError):
    """The response body could not be read in full or decoded."""


class InvalidURL(ClientError, ValueError):
    """The URL is malformed or not http(s). ``url`` is the URL."""

    def __init__(self, url="", description=None, errno=None):
        super().__init__(description or str(url), errno)
        self.url = url
        self.description = description


class InvalidUrlClientError(InvalidURL):
    """The URL is malformed."""


class NonHttpUrlClientError(InvalidURL):
    """The URL's scheme is not http or https."""


#: The exception class of each async_err_t.
ERROR_CLASSES = {
    capi.EINVAL: ClientError,
    capi.ENOMEM: ClientError,
    capi.ECANCELLED: ClientConnectionError,
    capi.ETIMEDOUT: ServerTimeoutError,
    capi.ECLOSED: ClientConnectionError,
    capi.EURL: InvalidUrlClientError,
    capi.ESCHEME: NonHttpUrlClientError,
    capi.EDNS: ClientConnectorDNSError,
    capi.EPROXYDNS: ClientProxyConnectionError,
    capi.ECONNECT: ClientConnectorError,
    capi.ETLS: ClientConnectorSSLError,
    capi.ECERT: ClientConnectorCertificateError,
    capi.EPROTO: ClientResponseError,
    capi.EPARTIAL: ClientPayloadError,
    capi.EEMPTY: ServerDisconnectedError,
    capi.ESEND: ClientOSError,
    capi.ERECV: ClientOSError,
    capi.EREDIRECTS: TooManyRedirects,
    capi.ETOOLARGE: ClientResponseError,
    capi.EDECODE: ClientPayloadError,
    capi.EIO: ClientOSError,
    capi.EBUSY: ClientError,
}


def from_error(code, message, url=None, request_info=None, in_body=False):
    """The exception for a libasync failure: C code, C message (prefixed
    with the URL when it does not name it, as a cancel's does not)."""
    if url and url not in message:
        message = "%s: %s" % (url, message)
    if in_body and code != capi.ETIMEDOUT:
        cls = ClientPayloadError
    else:
        cls = ERROR_CLASSES.get(code, ClientError)
    if issubclass(cls, ClientResponseError):
        return cls(request_info, (), status=0, message=message, errno=code)
    if issubclass(cls, InvalidURL):
        return cls(url if url is not None else "", message, errno=code)
    return cls(message, code)
