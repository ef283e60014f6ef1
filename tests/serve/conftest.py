import pytest
from serve_helpers import settings

from emstd.infer.standardizer import Standardizer
from emstd.serve.app import create_app


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def rules_app():
    return create_app(Standardizer(), settings())
