"""Training on a hash sample of a large table, scored against the labelled benchmark."""

import random

import pytest

from hotpass.duckdb_connection import quiet_duckdb
from hotpass.resolve import connected_components, load_config, resolve
from hotpass.resolve.bench import pairwise_scores
from hotpass.resolve.features import organisation_features
from hotpass.resolve.model import _training_sample
from hotpass.settings import load_settings
from hotpass.synthetic import write_samples


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    """A DuckDB connection holding the features of a refined labelled run (about 1,100
    organisation records) and their true organisations (table truth)."""
    from hotpass.pipeline import refine

    root = tmp_path_factory.mktemp("model")
    inputs = write_samples(root / "inputs", seed=5, scale=5, truth=root / "truth.csv")
    settings = load_settings(environ={}, overrides={"workspace": root / "ws"})
    refine(inputs, settings=settings, export_dir=root / "export")
    con = quiet_duckdb()
    for name in ("organisations", "addresses"):
        con.execute(
            f"CREATE TABLE staged_{name} AS SELECT * FROM "
            f"'{root / 'export' / 'staged' / (name + '.parquet')}'"
        )
    con.execute(
        f"CREATE TABLE truth AS SELECT * FROM read_csv('{root / 'truth.csv'}', header = true, "
        "columns = {'record_id': 'VARCHAR', 'true_org_id': 'VARCHAR'})"
    )
    features = organisation_features(con, "staged_organisations", "staged_addresses")
    con.execute(f"CREATE TABLE features AS SELECT * FROM {features}")
    yield con
    con.close()


def _f1(con, clusters) -> float:
    con.register("clusters_arrow", clusters)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE bench_assign AS
           SELECT t.record_id, c.cluster_id AS cluster, t.true_org_id AS truth
           FROM truth t JOIN clusters_arrow c ON c.unique_id = t.record_id"""
    )
    con.unregister("clusters_arrow")
    return pairwise_scores(con)[2]


def test_a_table_over_the_cap_trains_on_a_sample_and_keeps_its_quality(labelled):
    records = labelled.execute("SELECT count(*) FROM features").fetchall()[0][0]
    assert records > 1000  # - the sample must be a real cut of this table
    config = load_config("organisations")
    whole = resolve(labelled, "features", config=config)
    assert not any("sample" in note for note in whole.notes)

    capped = config.model_copy(update={"max_records_for_training": records // 2})
    sampled = resolve(labelled, "features", config=capped)
    (note,) = (note for note in sampled.notes if "hash sample" in note)
    trained = int(note.split("hash sample of ")[1].split(" ")[0])
    assert records // 3 < trained < 2 * records // 3
    # every record is still scored and clustered, not only the sampled ones
    assert sampled.clusters.num_rows == records
    assert _f1(labelled, sampled.clusters) >= 0.97  # - the benchmark's bar
    assert _f1(labelled, sampled.clusters) >= _f1(labelled, whole.clusters) - 0.01


def test_the_training_sample_does_not_depend_on_row_order(labelled):
    records = labelled.execute("SELECT count(*) FROM features").fetchall()[0][0]
    config = load_config("organisations").model_copy(update={"max_records_for_training": 300})
    _training_sample(labelled, "features", config, records)
    first = {r[0] for r in labelled.execute("SELECT unique_id FROM hotpass_training").fetchall()}
    labelled.execute("CREATE OR REPLACE TABLE shuffled AS SELECT * FROM features ORDER BY random()")
    _training_sample(labelled, "shuffled", config, records)
    second = {r[0] for r in labelled.execute("SELECT unique_id FROM hotpass_training").fetchall()}
    assert first == second
    assert 200 < len(first) < 400  # - about the cap


def test_connected_components_label_each_component_by_its_smallest_id():
    rng = random.Random(3)
    nodes = [f"r{n:04d}" for n in range(300)]
    edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(200)]
    edges.append(("r0001", "not-a-node"))  # ignored: only known nodes are labelled
    # the expected components, by repeated merging of sets (small enough to do naively)
    groups = [{node} for node in nodes]
    for left, right in edges:
        joined = [g for g in groups if left in g or right in g]
        if len(joined) == 2:  # - both ends known and in different groups
            groups = [g for g in groups if g not in joined] + [joined[0] | joined[1]]
    expected = {node: min(group) for group in groups for node in group}

    con = quiet_duckdb()
    con.execute("CREATE TABLE n (unique_id VARCHAR)")
    con.executemany("INSERT INTO n VALUES (?)", [(node,) for node in nodes])
    con.execute("CREATE TABLE e (unique_id_l VARCHAR, unique_id_r VARCHAR)")
    con.executemany("INSERT INTO e VALUES (?, ?)", edges)
    connected_components(con, "n", "e", "out")
    assert dict(con.execute("SELECT unique_id, cluster_id FROM out").fetchall()) == expected
    connected_components(con, "n", "(SELECT * FROM e WHERE false)", "lonely")
    assert con.execute("SELECT count(*) FROM lonely WHERE unique_id <> cluster_id").fetchall() == [
        (0,)
    ]
    con.close()
