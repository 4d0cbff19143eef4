"""The built-in LRS: the xAPI 1.0.3 HTTP API at /xapi, its credentials, documents and forwarding outbox."""
