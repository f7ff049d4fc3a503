"""People, organisations, vetting and API tokens."""
