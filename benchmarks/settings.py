"""Settings of the load test (benchmarks/loadtest.sh): production's, plus the baseline endpoint."""
from mattran.settings.production import *  # noqa: F401,F403

ROOT_URLCONF = "benchmarks.urls"
