"""The dated landing area: snapshots per day, ``since``, paths that leave the area."""

import os
from datetime import date

import pytest

from hotpass.errors import InputError
from hotpass.landing import days, partitions, snapshot


def _drop(landing, day, name, text="x"):
    folder = landing / f"dt={day}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def test_a_day_sees_the_latest_copy_of_each_file_up_to_it(tmp_path):
    landing = tmp_path / "landing"
    _drop(landing, "2026-03-01", "a.xlsx", "a1")
    _drop(landing, "2026-03-01", "b.csv", "b1")
    newer_a = _drop(landing, "2026-03-03", "a.xlsx", "a2")
    _drop(landing, "2026-03-02", "~$a.xlsx")  # an Office lock file is never an input
    (landing / "dt=not-a-date").mkdir()
    assert partitions(landing) == [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]
    assert [p.read_text() for p in snapshot(landing, date(2026, 3, 2)).files] == ["a1", "b1"]
    later = snapshot(landing, date(2026, 3, 5))
    assert later.files == [newer_a.resolve(), (landing / "dt=2026-03-01" / "b.csv").resolve()]
    assert later.partitions == [date(2026, 3, 1), date(2026, 3, 3)]
    assert snapshot(landing, date(2026, 2, 28)).files == []
    assert [p.name for p in snapshot(landing, date(2026, 3, 5), since=date(2026, 3, 2)).files] == [
        "a.xlsx"
    ]


def test_a_symlink_out_of_the_landing_area_is_refused(tmp_path):
    landing = tmp_path / "landing"
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("secret")
    folder = landing / "dt=2026-03-01"
    folder.mkdir(parents=True)
    os.symlink(outside, folder / "link.csv")
    with pytest.raises(InputError, match="outside the landing area"):
        snapshot(landing, date(2026, 3, 1))


def test_days_are_inclusive_and_ordered():
    assert days(date(2026, 3, 1), date(2026, 3, 3)) == [
        date(2026, 3, 1),
        date(2026, 3, 2),
        date(2026, 3, 3),
    ]
    with pytest.raises(ValueError, match="before it starts"):
        days(date(2026, 3, 3), date(2026, 3, 1))
