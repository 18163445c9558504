"""Entry point of the ``hotpass-dags`` PEX: put the DAG files into an Airflow DAGs folder.

The bundle carries the ``hotpass`` library and its requirements but not Airflow, which the
deployment provides. Unpack it next to Airflow (``PEX_TOOLS=1 python hotpass-dags.pex venv
/opt/hotpass-dags``), make that venv's site-packages importable by the Airflow workers, then
``python hotpass-dags.pex --dags-folder $AIRFLOW_HOME/dags`` copies the DAG files there.
Imports nothing from Airflow.
"""

from __future__ import annotations

import argparse
import shutil
from importlib import resources
from pathlib import Path

DAG_FILES = ("refine.py", "training.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hotpass-dags", description=__doc__.splitlines()[0])
    parser.add_argument("--dags-folder", type=Path, required=True, help="Airflow's DAGs folder")
    args = parser.parse_args(argv)
    args.dags_folder.mkdir(parents=True, exist_ok=True)
    package = resources.files("hotpass_dags")
    for name in DAG_FILES:
        target = args.dags_folder / f"hotpass_{name}"
        with resources.as_file(package / name) as source:
            shutil.copyfile(source, target)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
