"""dlint's built-in rules, one module per rule (installed as dlint.rules).

Registered through the entry-point group `dlint.rules` like any third-party bundle; the
engine loads every submodule of this package and takes the Rule subclasses it defines.
"""
