"""The registry's tests publish versions of the small SQF of tests/sbsh/conftest.py."""

from tests.sbsh.conftest import small_classifiers, sqf  # noqa: F401  (fixtures)
