from tests.dashboard.conftest import shared_app  # noqa: F401  (one small city for the browser tests)
