"""Training data: the cache of aligned real face crops and the tool that builds it."""
