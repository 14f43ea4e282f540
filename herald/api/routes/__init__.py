"""The HTTP API's routers, one module per resource; each route declares its `Requires`."""
