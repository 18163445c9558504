import ibis

from hotpass.engine import connect, drop, materialise


def test_materialise_runs_once_and_drop_removes_the_table(tmp_path):
    con = connect(tmp_path, memory_mb=512)
    try:
        source = con.create_table("numbers", ibis.memtable({"n": [1, 2, 3]}))
        doubled = materialise(source.mutate(twice=source.n * 2))
        name = doubled.op().name
        assert sorted(doubled.twice.to_pyarrow().to_pylist()) == [2, 4, 6]
        assert con.con.execute(f'SELECT count(*) FROM "{name}"').fetchall() == [(3,)]
        drop(doubled)
        remaining = con.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]
        ).fetchall()
        assert remaining == [(0,)]
    finally:
        con.disconnect()
    assert (tmp_path / "tmp").is_dir()


def test_engine_spark_in_a_build_without_pyspark_names_the_pex_that_has_it(tmp_path, monkeypatch):
    import sys

    import pytest

    from hotpass.engine import open_backend, spark_session
    from hotpass.errors import SettingsError
    from hotpass.settings import load_settings

    # What hotpass.pex looks like: the Spark module (and pyspark) are not in it.
    monkeypatch.setitem(sys.modules, "hotpass.spark", None)
    settings = load_settings(environ={"HOTPASS_ENGINE": "spark"}, overrides={"workspace": tmp_path})
    for opening in (open_backend, spark_session):
        with pytest.raises(SettingsError, match=r"hotpass-spark\.pex"):
            opening(settings)
    duckdb_settings = load_settings(environ={}, overrides={"workspace": tmp_path})
    assert spark_session(duckdb_settings) is None
    backend = open_backend(duckdb_settings)
    try:
        assert backend.name == "duckdb"
    finally:
        backend.disconnect()
