"""claimdesk: the dispute process between customers and merchants, a workflow per claim."""
