"""ACME's dlint rules: one module per rule, each holding one Rule subclass."""
