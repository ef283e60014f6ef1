import pytest


@pytest.fixture(scope="session")
def dataset_dir(tmp_path_factory):
    """One dataset built with the default seed, shared by the tests that only read it."""
    from emstd.data.build import build_dataset

    out = tmp_path_factory.mktemp("dataset")
    build_dataset(out, seed=42, progress=lambda m: None)
    return out
