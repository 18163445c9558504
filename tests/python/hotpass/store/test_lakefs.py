"""The lakeFS backend's own behaviour: configuration, errors, secrets."""

import pytest

from hotpass.settings import load_settings
from hotpass.store import StoreError, open_store, store_location
from hotpass.store.lakefs import LakeFSStore
from tests.python.hotpass.store.fake_lakefs import FakeLakeFSServer

SECRET = "very-secret-key-0123"


@pytest.fixture(scope="module")
def lakefs(tmp_path_factory):
    server = FakeLakeFSServer(
        tmp_path_factory.mktemp("lakefs"), access_key_id="AKIAOWN", secret_access_key=SECRET
    )
    with server.running() as endpoint:
        yield server, endpoint


def test_lakectl_variables_configure_the_store(lakefs, tmp_path):
    _server, endpoint = lakefs
    environ = {
        "LAKECTL_SERVER_ENDPOINT_URL": endpoint,
        "LAKECTL_CREDENTIALS_ACCESS_KEY_ID": "AKIAOWN",
        "LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY": SECRET,
        "HOTPASS_LAKEFS_REPOSITORY": "from-lakectl",
        "HOTPASS_LAKEFS_STORAGE_NAMESPACE": "local://from-lakectl",
    }
    settings = load_settings(environ=environ, overrides={"workspace": tmp_path})
    store = open_store(settings)
    assert isinstance(store, LakeFSStore)
    assert store.branches() == {"main": store.resolve("main")}
    assert SECRET not in store_location(settings)
    hotpass_wins = load_settings(environ={**environ, "HOTPASS_LAKEFS_ENDPOINT": "http://other:1"})
    assert hotpass_wins.lakefs.endpoint == "http://other:1"


def test_wrong_credentials_fail_clearly_without_echoing_the_secret(lakefs):
    _server, endpoint = lakefs
    with pytest.raises(StoreError) as caught:
        LakeFSStore(
            endpoint=endpoint,
            access_key_id="AKIAOWN",
            secret_access_key="wrong-" + SECRET,
            repository="anything",
            storage_namespace="local://anything",
        )
    assert "refused the credentials" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_a_missing_repository_without_a_namespace_is_an_error_with_the_fix(lakefs):
    _server, endpoint = lakefs
    with pytest.raises(
        StoreError, match="does not exist: create it, or set lakefs.storage_namespace"
    ):
        LakeFSStore(
            endpoint=endpoint,
            access_key_id="AKIAOWN",
            secret_access_key=SECRET,
            repository="nope-repo",
        )


def test_branch_names_lakefs_refuses_are_refused_by_both_backends(lakefs, tmp_path):
    from hotpass.store import LocalStore

    _server, endpoint = lakefs
    remote = LakeFSStore(
        endpoint=endpoint,
        access_key_id="AKIAOWN",
        secret_access_key=SECRET,
        repository="names-repo",
        storage_namespace="local://names",
    )
    for store in (LocalStore(tmp_path / "store"), remote):
        with pytest.raises(StoreError):
            store.create_branch("run/1", "main")
        assert store.create_branch("run-1", "main") == store.resolve("main")
