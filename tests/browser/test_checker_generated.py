"""The checker agrees with `scopekb.decide` on generated knowledge bases too.

The example data has no client whose contracts repeat a category, share an
asset or leave a model unnamed; the generated ones (the strategies of
tests/test_properties.py) have all of that, so every branch of the port is
compared, through embed.checker_data, with the Python engine.
"""
from __future__ import annotations

import importlib.util
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scopekb.coverage.decide import decide
from scopekb.kb.model import KnowledgeBase
from scopekb.site.checker_data import checker_data

from .combos import as_js
from .conftest import REPO


def property_strategies():
    """The generators of tests/test_properties.py, loaded from its file whatever the import mode."""
    spec = importlib.util.spec_from_file_location("scopekb_property_strategies", REPO / "tests" / "test_properties.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cases = property_strategies().cases


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), lang=st.sampled_from(["fr", "en"]))
def test_checker_agrees_with_python_on_generated_data(checker_page, case, lang):
    kb, req = case
    client = kb.find_client(req.client) or next(iter(kb.clients.values()))
    # The checker sees only what its page embeds: this client's data, through JSON.
    data = json.loads(json.dumps(checker_data(kb, client, lang)))
    got = checker_page.evaluate("([data, request]) => window.scopekbDecide(data, request)", [data, as_js(req)])
    # ... so it knows no other client: for a name that is not its client's, it answers as `decide` does
    # where this client is the only one (spec v2 lists the clients a name may mean: here, this one or none).
    known = KnowledgeBase(kb.provider, {client.slug: client},
                          {form: slug for form, slug in kb.names.items() if slug == client.slug})
    assert got == decide(known if kb.find_client(req.client) is None else kb, req, lang).as_json()
