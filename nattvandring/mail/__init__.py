"""E-mail: an outbox table written in the request's transaction, sent later by the worker."""
