"""Official report exports: the periodic report as Word, Excel and PDF, scoped to a unit."""
from reports.exports.generator import FORMATTERS, PeriodicReportGenerator, parse_format  # noqa: F401
