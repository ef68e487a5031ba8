"""SMS gateway layer: GSM-7 text helpers and the gateways (console, Twilio).

This package knows nothing about the database. The outbox worker stores messages, calls a
``SmsGateway`` after the commit, and maps the gateway's exceptions to retries, opt-outs and
permanent failures.
"""
