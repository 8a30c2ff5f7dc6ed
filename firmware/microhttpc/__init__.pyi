# Every name of the lazy table in __init__.py, re-exported with its real type, and the public
# submodules (``from microhttpc import forms`` loads them on first use).
from . import aio as aio
from . import aiows as aiows
from . import api as api
from . import client as client
from . import errors as errors
from . import forms as forms
from . import http11 as http11
from . import poll as poll
from . import pollws as pollws
from . import request as request
from . import session as session
from . import websocket as websocket
from .client import Connection as Connection
from .client import Response as Response
from .client import parse_url as parse_url
from .wsconnect import ws_connect as ws_connect
from .backoff import reconnect as reconnect
from .errors import ConnectError as ConnectError
from .errors import ConnectionClosed as ConnectionClosed
from .errors import ConnectionLost as ConnectionLost
from .errors import HandshakeError as HandshakeError
from .errors import HeaderNotAllowed as HeaderNotAllowed
from .errors import HTTPStatusError as HTTPStatusError
from .errors import HTTPCError as HTTPCError
from .errors import InvalidUTF8 as InvalidUTF8
from .errors import JSONDecodeError as JSONDecodeError
from .errors import LimitExceeded as LimitExceeded
from .errors import ProtocolError as ProtocolError
from .errors import TimeoutError as TimeoutError
from .errors import TLSError as TLSError
from .errors import TooManyRedirects as TooManyRedirects
from .errors import UpgradeRefused as UpgradeRefused
from .errors import UsageError as UsageError
from .poll import Engine as Engine
from .request import Request as Request
from .websocket import WebSocket as WebSocket
from .api import close_all as close_all
from .api import delete as delete
from .api import get as get
from .api import head as head
from .api import patch as patch
from .api import post as post
from .api import put as put

__version__: str

# ``from microhttpc import *``: the names above less the submodules and TimeoutError (the builtin's name).
__all__ = [
    "Connection", "Response", "parse_url", "ws_connect", "Request", "reconnect", "WebSocket", "Engine",
    "get", "post", "put", "patch", "delete", "head", "close_all",
    "HTTPCError", "UsageError", "HeaderNotAllowed", "ConnectError", "TLSError", "ConnectionLost",
    "ProtocolError", "LimitExceeded", "InvalidUTF8", "HandshakeError", "UpgradeRefused", "HTTPStatusError",
    "JSONDecodeError", "TooManyRedirects", "ConnectionClosed",
]
