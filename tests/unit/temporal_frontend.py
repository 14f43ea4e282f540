"""A TLS gRPC peer on 127.0.0.1 that answers the Temporal call a client makes on connect.

Enough of a Temporal frontend to prove what `herald.temporal.connect` puts on the wire: the
TLS handshake (the server certificate it trusts, the name it checks), the client certificate
it presents for mTLS, and the request headers (the API key as a bearer token). The Temporal
dev server cannot serve TLS itself (`temporal server start-dev` has no TLS flags).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import grpc  # type: ignore[import-untyped]  # grpcio ships no type information
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest, GetSystemInfoResponse

SYSTEM_INFO = "/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo"


@dataclass
class Seen:
    """What the peer saw of each call: its metadata and the TLS peer identity."""

    metadata: list[dict[str, str]] = field(default_factory=list)
    client_common_names: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(grpc.GenericRpcHandler):  # type: ignore[misc]
    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    def service(self, details: Any) -> Any:
        if details.method != SYSTEM_INFO:
            return None  # the client gets UNIMPLEMENTED, as from an old server
        return grpc.unary_unary_rpc_method_handler(
            self._system_info,
            request_deserializer=GetSystemInfoRequest.FromString,
            response_serializer=GetSystemInfoResponse.SerializeToString,
        )

    def _system_info(self, _request: GetSystemInfoRequest, context: Any) -> GetSystemInfoResponse:
        metadata = {str(key): str(value) for key, value in context.invocation_metadata()}
        names = context.auth_context().get("x509_common_name", [])
        with self.seen.lock:
            self.seen.metadata.append(metadata)
            self.seen.client_common_names += [name.decode() for name in names]
        return GetSystemInfoResponse(server_version="1.0.0-herald-test")


@contextmanager
def tls_frontend(
    cert_pem: bytes, key_pem: bytes, *, client_ca_pem: bytes | None = None
) -> Iterator[tuple[int, Seen]]:
    """Serve on 127.0.0.1 with TLS; with `client_ca_pem`, require a client certificate it
    issued (mTLS). Yields the port and what the peer saw."""
    seen = Seen()
    server = grpc.server(ThreadPoolExecutor(max_workers=2), handlers=[_Handler(seen)])
    credentials = grpc.ssl_server_credentials(
        [(key_pem, cert_pem)],
        root_certificates=client_ca_pem,
        require_client_auth=client_ca_pem is not None,
    )
    port = int(server.add_secure_port("127.0.0.1:0", credentials))
    server.start()
    try:
        yield port, seen
    finally:
        server.stop(grace=None)
