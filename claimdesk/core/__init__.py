"""The pure core: the claim's vocabulary, rules, permissions and filing, and what people read.

Reports, e-mails and words; no I/O but reading its own e-mail templates.
"""
