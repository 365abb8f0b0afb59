"""Fixtures shared by every selected test file of the supertokens-python sdist.

The core is the `embedded-core` server that scripts/e2e/python-conformance.sh starts once for
the whole run; the tests isolate themselves from each other by asking `tests.utils` for a new
app on that core (`get_new_core_app_url`), so nothing here starts, stops or wipes a core.
"""

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # The SDK relaxes a few production checks in "testing" mode (the tests rely on it), and the
    # Django tests find their settings through this module path.
    os.environ.setdefault("SUPERTOKENS_ENV", "testing")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.Django.settings")


@pytest.fixture(autouse=True)
def _fresh_sdk_state():
    """Each test calls `init` itself: the SDK's singletons must be empty before and after."""
    from tests.utils import reset

    reset()
    yield
    reset()
