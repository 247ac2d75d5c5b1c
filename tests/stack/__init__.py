"""Tests of the stack: the mail sink, the compose file, `claimdesk dev` end to end."""
