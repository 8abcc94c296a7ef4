"""REST routers. Every module here exposing ``router`` (an APIRouter) is included by the app factory."""
