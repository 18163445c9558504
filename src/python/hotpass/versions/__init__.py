"""Working with published versions: row-level diffs between refs and business-user exports."""
