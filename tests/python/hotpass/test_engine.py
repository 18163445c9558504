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
