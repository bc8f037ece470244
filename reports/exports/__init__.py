"""Official report exports: the periodic report as Word, Excel and PDF, scoped to a unit (``generator``),
and the one registry of document formats the whole portal hands out (``formats``)."""
