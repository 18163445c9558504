"""Airflow DAGs for Hotpass: wiring only; every task calls one library function."""
