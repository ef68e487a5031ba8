"""Operations: health and readiness endpoints, the worker heartbeat, backups."""
