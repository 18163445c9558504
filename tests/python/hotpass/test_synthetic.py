from pathlib import Path

from openpyxl import load_workbook

from hotpass.synthetic import write_samples


def cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    workbook = load_workbook(path, read_only=True)
    try:
        return {
            sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def test_committed_samples_are_the_seeded_generator_output(tmp_path):
    for path in write_samples(tmp_path, seed=7):
        committed = Path("samples") / path.name
        if path.suffix == ".csv":
            assert committed.read_bytes() == path.read_bytes()
        else:
            assert cells(committed) == cells(path), path.name


def test_scale_multiplies_rows(tmp_path):
    small = cells(write_samples(tmp_path / "one", seed=3)[0])["Cleaned"]
    large = cells(write_samples(tmp_path / "two", seed=3, scale=2)[0])["Cleaned"]
    assert len(large) - 1 == 2 * (len(small) - 1)


def test_truth_labels_every_organisation_row_and_nothing_else(tmp_path):
    truth = tmp_path / "truth.csv"
    write_samples(tmp_path / "in", seed=7, truth=truth)
    lines = truth.read_text().splitlines()
    assert lines[0] == "record_id,true_org_id"
    labels = dict(line.split(",") for line in lines[1:])
    assert len(labels) == 225  # the organisation rows the samples stage
    assert len(set(labels.values())) == 127
    # The school at two airports is one organisation.
    durban = [r for r in labels if r.startswith("contact_database.xlsx::Flight schools::")]
    assert labels[durban[0]] == labels[durban[1]]
