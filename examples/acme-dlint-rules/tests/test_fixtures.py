"""Every fixture of every ACME rule, through dlint's own fixture runner.

The plugin must be installed (`pip install -e .`): dlint finds its rules through the
entry point, as it will in production. Rewrite the .findings files from the rules'
output with `DLINT_UPDATE_FIXTURES=1 pytest`, then review the diff.
"""

from pathlib import Path

import pytest

from dlint.testing import fixture_cases

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.mark.parametrize("case", fixture_cases(FIXTURES), ids=str)
def test_fixture(case):
    case.check()
