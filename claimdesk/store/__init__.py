"""The relational store: tables, engine, and the queries, one module per thing stored."""
