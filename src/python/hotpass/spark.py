"""The Spark engine (``engine = "spark"``): one SparkSession per process, used as an Ibis
backend by standardise and as Splink's Spark backend by resolution.

Only hotpass-spark.pex ships pyspark; hotpass.pex stays DuckDB-only (docs/adr/0012). The
session is left open for the life of the process, because standardise and resolution share it
and a Spark start costs seconds.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from hotpass.errors import SettingsError
from hotpass.settings import Settings

__all__ = ["connect", "session"]

# Spark's JVM logs WARN lines (hostname, native Hadoop) to the terminal on every start; a run
# reports its own progress. Errors still reach stderr.
_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = spark %p %c{1}: %m%n
# PySpark counts as a shell, whose level Spark otherwise resets to WARN (announcing it).
logger.repl.name = org.apache.spark.repl.Main
logger.repl.level = error
"""


def session(settings: Settings) -> Any:
    """The process's SparkSession for ``settings.spark`` (created on first use).

    Local masters get this process's interpreter and import path for their Python workers,
    scratch space under ``<workspace>/tmp`` and no web UI; a cluster's executors get
    ``spark.python`` (e.g. the shipped hotpass-spark.pex) and its own configuration.
    """
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    master = settings.spark.master
    scratch = (settings.workspace / "tmp" / "spark").resolve()
    scratch.mkdir(parents=True, exist_ok=True)
    log_config = scratch / "log4j2.properties"
    log_config.write_text(_LOG4J2)
    builder = (
        SparkSession.builder.master(master)
        .appName("hotpass")
        # Splink's Jaro-Winkler and other similarity functions are JVM UDFs in this jar.
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j.configurationFile=file:{log_config}")
    )
    # PySpark tells the executors which Python to start from this variable alone (the
    # spark.pyspark.python setting is read only by spark-submit).
    os.environ["PYSPARK_PYTHON"] = settings.spark.python or sys.executable
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (
            builder.config("spark.ui.enabled", "false")
            # Spark's 200 shuffle partitions suit a cluster; on one machine they cost more in
            # task start-up than the work they split.
            .config("spark.sql.shuffle.partitions", "8").config("spark.local.dir", str(scratch))
            # A PEX or a virtualenv sets its path inside the interpreter, not in the
            # environment the Python workers inherit.
            .config("spark.executorEnv.PYTHONPATH", os.pathsep.join(p for p in sys.path if p))
        )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # Py4J and Spark raise many types; the first line says why
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise SettingsError(
            [f"spark.master {master!r}: Spark did not start ({type(exc).__name__}: {reason})"]
        ) from exc
    if spark.sparkContext.getCheckpointDir() is None:
        # Splink breaks long query lineages by writing Parquet checkpoints.
        spark.sparkContext.setCheckpointDir(str(Path(scratch) / "checkpoints"))
    return spark


def connect(settings: Settings) -> Any:
    """An Ibis backend over the process's SparkSession."""
    import ibis

    return ibis.pyspark.connect(session(settings))
