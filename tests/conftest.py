"""Settings shared by every test: hypothesis' profiles.

"ci", the default, runs enough examples to matter on every run; `--hypothesis-profile=long` runs many more,
for a local run that has the time. Tests that set `max_examples` themselves keep their own; the others
(tests/test_hostile_fuzz.py, tests/browser/test_hostile_fuzz.py...) follow the profile. No deadline: a
machine busy with other work makes an example slow, never wrong.
"""
from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                     HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=150, **_COMMON)
settings.register_profile("long", max_examples=3000, **_COMMON)
settings.load_profile("ci")
