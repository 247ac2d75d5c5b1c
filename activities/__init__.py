"""The side effects of a claim: the store projection and the e-mails, as Temporal activities."""
