"""CSV exports and the inspection pack: every file described once (:mod:`.tables`), written
by the one CSV writer (:mod:`bench.csvout`), from the same read model as the pages."""
