"""When the Spark tests can run: pyspark installed and Java on PATH (otherwise skipped, saying why)."""
from __future__ import annotations

import shutil

import pytest

NO_SPARK = None
try:
    import pyspark  # noqa: F401
except ImportError:
    NO_SPARK = "pyspark is not installed (pip install 'cxkit[spark]')"
if NO_SPARK is None and shutil.which("java") is None:
    NO_SPARK = "no 'java' on PATH: Spark needs Java 17+"
needs_spark = pytest.mark.skipif(NO_SPARK is not None, reason=NO_SPARK or "")
