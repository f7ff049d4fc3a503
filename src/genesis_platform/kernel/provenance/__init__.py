"""W3C PROV provenance: recording and exporting lineage."""
