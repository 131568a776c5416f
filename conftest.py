"""Fixtures shared by every app's tests."""

import pytest

# The verifier's verdicts on the bundled bank, remembered across tests: every test's database
# is rolled back, and without this each test that loads the bank would run its ~500 keys again.
_REMEMBERED_VERDICTS: dict[str, dict] = {}


@pytest.fixture
def remembered_verdicts(db):
    """Seed the verdict cache with what earlier tests of this run verified, and keep what this
    test verifies for the next ones. Only for tests that load the bundled bank for some other
    purpose: the cache's own tests (exams/tests/test_content_ownership.py) start empty."""
    from exams.models import KeyVerdict

    KeyVerdict.objects.bulk_create(
        [KeyVerdict(key_hash=key, **values) for key, values in _REMEMBERED_VERDICTS.items()],
        ignore_conflicts=True,
    )
    yield
    for row in KeyVerdict.objects.values("key_hash", "status", "detail"):
        _REMEMBERED_VERDICTS[row.pop("key_hash")] = row


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: population figures kept there (for example
    progress/miss_credit.py) must come from that test's own database."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
