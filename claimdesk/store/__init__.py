"""The relational store: tables, engine, and every query claimdesk runs."""
