"""The seed's two calls, played from a blank home page as a technician plays them, keys counted.

Each call starts on the home page with nothing typed: a few keys in the client finder, Enter, and the
client page opens at its checker (with the asset chosen when the finder was given an asset id); then
the few choices left. The verdict, team, reasons and actions shown equal `scopekb check --json` for the
request the form holds. Keystrokes, choices and the waiting after each are printed (pytest -s).

- 4.2, a laser printer bought after signing (Menuiserie Bérard & Fils, PRN-0107): its asset id or the
  client's short name, then at most 2 choices.
- 4.1, software to install (Éditions Marchand & Cie; Office notarial Garnier & Roux, which may not
  install by phone): at most 4 keys of the client, 3 of the subject, and 3 choices: client, kind,
  subject.
"""
from __future__ import annotations

import datetime as dt
import shlex

from scopekb.kb.model import normal_form

from .checker_form import READ_RESULT, RESULT, as_shown, page_data
from .finder import INPUT, RESULTS
from .test_seed_cases import scopekb_check

CHECKER = "#scopekb-checker"
ITEM = f'{CHECKER} input[name="item"]'
KIND = f'{CHECKER} select[name="kind"]'
ASSET = f'{CHECKER} select[name="asset"]'

# Installed before the page's scripts: when the technician last acted (a key, a pick in a list) and
# when the checker's answer last changed, on the page's clock (0 = when the page began to load).
TIMING = """
window.__call = {action: 0, shown: null, first: null};
const acted = () => { window.__call.action = performance.now(); };
document.addEventListener('keydown', acted, true);
document.addEventListener('change', acted, true);
new MutationObserver((records) => {
  if (records.some((r) => r.target.closest && r.target.closest('[data-scopekb-result]'))) {
    window.__call.shown = performance.now();
    if (window.__call.first === null) window.__call.first = window.__call.shown;
  }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


class Call:
    """A technician at the keyboard: keys typed and choices made, counted; waits measured."""

    def __init__(self, page, home: str):
        self.page = page
        self.keys = {"client": 0, "subject": 0, "moves": 0}  # moves: Tab and Shift+Tab
        self.choices: list[str] = []
        self.waits: list[str] = []
        page.add_init_script(TIMING)
        page.goto(home)
        page.wait_for_selector(INPUT)
        assert page.evaluate("document.activeElement.id") == INPUT.lstrip("#")  # a blank page, ready to type

    def type(self, text: str, what: str) -> None:
        for character in text:
            self.page.keyboard.type(character)
        self.keys[what] += len(text)

    def move(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys["moves"] += 1

    def open_client(self, slug: str) -> None:
        """Enter on the finder's first result: the client's page, its verdict shown."""
        self.page.wait_for_selector(RESULTS)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.page.wait_for_selector(f'{CHECKER}[data-ready="true"]', state="attached")
        assert self.page.get_attribute(CHECKER, "data-client") == slug
        self.choices.append("client (Enter)")
        self.waits.append(f"page to verdict {self.page.evaluate('window.__call.first'):.0f} ms")

    def choose(self, label: str, act) -> None:
        """One choice; waits until the checker's answer follows it."""
        act()
        self.page.wait_for_function("window.__call.shown !== null && window.__call.shown >= window.__call.action")
        self.choices.append(label)
        self.waits.append(f"{label.split(' ')[0]} to verdict "
                          f"{self.page.evaluate('window.__call.shown - window.__call.action'):.1f} ms")

    def verdict_equals_check(self, slug: str) -> dict:
        """The answer shown, asserted equal to `scopekb check --json` for the request the form holds."""
        form = self.page.evaluate(f"""() => Object.fromEntries(
            [...document.querySelectorAll('{CHECKER} [data-field]')].map((f) => [f.name, f.value]))""")
        args = ["--kind", form["kind"], "--date", form["date"] or dt.date.today().isoformat()]
        args += ["--asset", form["asset"]] if form["asset"] else ["--item", form["item"]] if form["item"] else []
        args += ["--acquired", form["acquired"]] if form["acquired"] else []
        data = page_data(self.page)
        cli = scopekb_check(slug, *args, lang=data["lang"])
        shown = self.page.eval_on_selector(RESULT, READ_RESULT)
        assert shown == as_shown(cli, data), (form, cli)
        self.request = shlex.join([slug, *args])
        return cli

    def report(self, case: str) -> str:
        line = (f"{case}: scopekb check {self.request}\n    keys: {self.keys['client']} for the client, "
                f"{self.keys['subject']} for the subject, {self.keys['moves']} Tab or Shift+Tab; "
                f"{len(self.choices)} choices ({', '.join(self.choices)}); waiting: {'; '.join(self.waits)}")
        print(line)
        return line


def in_force_today(kb, slug: str) -> bool:
    return bool(kb.clients[slug].in_force(dt.date.today()))


def test_4_2_printer_bought_after_signing_by_its_asset_id(site, kb, page):
    slug = "menuiserie-berard-fils"
    call = Call(page, site.url)
    call.type("PRN-0107", "client")
    call.open_client(slug)  # the finder's link carries the asset: the verdict is there at once
    assert page.input_value(ASSET) == "PRN-0107" and page.evaluate("document.activeElement.name") == "asset"
    cli = call.verdict_equals_check(slug)
    call.report("4.2 by asset id")
    assert len(call.choices) <= 2
    if in_force_today(kb, slug):
        assert (cli["verdict"], cli["team"], cli["reasons"][0]["code"]) == (
            "out-of-scope", "management", "acquired-after-signature")


def test_4_2_printer_bought_after_signing_by_the_clients_short_name(site, kb, page):
    slug = "menuiserie-berard-fils"
    call = Call(page, site.url)
    call.type("berard", "client")
    assert normal_form("berard") in normal_form(kb.clients[slug].aliases[0])  # its short name, Bérard & Fils
    call.open_client(slug)
    assert page.evaluate("document.activeElement.name") == "item"  # ready for the subject
    call.move("Tab")
    call.choose("asset (PRN-0107 in the list)", lambda: page.select_option(ASSET, "PRN-0107"))
    cli = call.verdict_equals_check(slug)
    call.report("4.2 by name")
    assert call.keys["subject"] == 0 and len(call.choices) <= 2
    if in_force_today(kb, slug):
        assert (cli["verdict"], cli["team"], cli["reasons"][0]["code"]) == (
            "out-of-scope", "management", "acquired-after-signature")


def test_4_1_software_to_install_in_a_few_keys(site, kb, page):
    for slug, letters, remote in (("editions-marchand-cie", "marc", True), ("office-notarial-garnier-roux", "garn", False)):
        call = Call(page, site.url)
        call.type(letters, "client")
        call.open_client(slug)
        call.move("Shift+Tab")  # from the subject up to the kind
        call.choose("kind (i: installation)", lambda: page.keyboard.press("i"))
        assert page.input_value(KIND) == "installation"
        call.move("Tab")
        call.type("ins", "subject")
        page.wait_for_selector(f"{CHECKER} [role=option]")
        suggested = page.eval_on_selector_all(f"{CHECKER} [role=option]", "os => os.map((o) => o.textContent)")
        call.choose("subject (Enter: first suggestion)", lambda: page.keyboard.press("Enter"))
        assert suggested[0].startswith(page.input_value(ITEM)), suggested
        cli = call.verdict_equals_check(slug)
        call.report(f"4.1 {slug}")
        assert call.keys["client"] <= 4 and call.keys["subject"] <= 3 and len(call.choices) <= 3
        if in_force_today(kb, slug):
            assert cli["category"] == "software" and cli["reasons"][0]["code"] == "in-scope"
            if remote:
                assert (cli["verdict"], cli["team"]) == ("handle", "helpdesk")
            else:
                assert (cli["verdict"], cli["team"]) == ("route", kb.provider.installation)
