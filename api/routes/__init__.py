"""One router module per resource, mounted together by `api.app`."""
