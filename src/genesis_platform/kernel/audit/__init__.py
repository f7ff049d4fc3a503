"""The tamper-evident audit log: hash chain, signed Merkle tree heads and checkpoints."""
