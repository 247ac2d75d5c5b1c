"""claimdesk: the dispute process between customers and merchants, one Temporal workflow per claim."""
