"""The seed's two cases, as a technician meets them: three letters in the finder, Enter,
then the checker on the client page; each answer equals `scopekb check --json`.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

from scopekb.words import message

from .checker_form import as_shown, ask, page_data, wait_for_checker
from .conftest import REPO
from .finder import open_first


def scopekb_check(slug: str, *args: str, lang: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", "from scopekb.cli import main; main()", "check", slug, *args,
         "--json", "--lang", lang, "--root", str(REPO)],
        capture_output=True, text=True)
    assert done.returncode == 0, f"scopekb check {slug} {' '.join(args)}: {done.stderr}"
    return json.loads(done.stdout)


def mid_term(contract) -> dt.date:
    end = contract.end or contract.start + dt.timedelta(days=730)
    return contract.start + (end - contract.start) / 2


def open_client(page, site, kb, slug: str) -> dict:
    """From the home page: three letters of the client's name, then Enter."""
    client = kb.clients[slug]
    results = open_first(page, site.url, client.name[:3])
    assert results[0]["name"] == client.name, results
    assert page.url.split("#")[0] == site.client_pages[slug]
    wait_for_checker(page)
    return page_data(page)


def check_both(page, data, slug, kind, day, *, item=None, asset=None, acquired=None) -> dict:
    """The checker's answer, asserted equal to the CLI's; returns the CLI's."""
    args = ["--kind", kind, "--date", day.isoformat()]
    args += ["--item", item] if item else []
    args += ["--asset", asset] if asset else []
    args += ["--acquired", acquired.isoformat()] if acquired else []
    cli = scopekb_check(slug, *args, lang=data["lang"])
    shown = ask(page, kind, day, item=item, asset=asset, acquired=acquired)
    assert shown == as_shown(cli, data)
    return cli


def test_software_bought_during_the_contract_is_installed_by_phone_where_allowed(site, kb, page):
    """Case 1: a software-assistance contract covering installation; new software to install."""
    for slug, remote in (("editions-marchand-cie", True), ("office-notarial-garnier-roux", False)):
        (contract,) = kb.clients[slug].contracts
        assert "installation" in contract.services and contract.remote_installation is remote
        assert any(entry.category == "software" for entry in contract.scope)
        data = open_client(page, site, kb, slug)
        cli = check_both(page, data, slug, "installation", mid_term(contract), item="installer un logiciel acheté")
        assert cli["category"] == "software"
        if remote:
            assert (cli["verdict"], cli["team"]) == ("handle", "helpdesk")
            assert message(data["lang"], "action.install-by-phone") in cli["actions"]
        else:
            assert (cli["verdict"], cli["team"]) == ("route", kb.provider.installation)
            assert cli["actions"][1] == message(data["lang"], "action.route-install",
                                                team=kb.provider.teams[kb.provider.installation].name,
                                                phone=f" ({kb.provider.teams[kb.provider.installation].phone})")


def test_laser_printer_bought_after_signing_is_out_of_scope(site, kb, page):
    """Case 2: hardware maintenance of the equipment present at signing; a laser printer bought after."""
    slug = "menuiserie-berard-fils"
    (contract,) = kb.clients[slug].contracts
    printer = next(a for a in contract.equipment if a.id == "PRN-0107")
    assert contract.policy == "acquired-before-signature" and printer.acquired > contract.signed
    data = open_client(page, site, kb, slug)
    day = mid_term(contract)
    by_asset = check_both(page, data, slug, "incident", day, asset=printer.id)
    by_words = check_both(page, data, slug, "incident", day, item="l'imprimante laser ne s'allume plus",
                          acquired=printer.acquired)
    for cli in (by_asset, by_words):
        assert cli["verdict"] == "out-of-scope"
        assert [r["code"] for r in cli["reasons"]] == ["acquired-after-signature"]
        assert cli["team"] == contract.escalate_to == "management"
        lang = data["lang"]
        assert cli["actions"][0] == message(lang, "action.record")
        assert message(lang, "action.propose.extension") in cli["actions"]
        assert message(lang, "action.propose.billed-service") in cli["actions"]
    # Without the purchase date the checker asks for it, and with a date before signing it covers.
    asked = check_both(page, data, slug, "incident", day, item="imprimante laser")
    assert asked["verdict"] == "ask"
    covered = check_both(page, data, slug, "incident", day, item="imprimante laser", acquired=contract.signed)
    assert covered["verdict"] == "handle"
