"""Drive the checker's form on a client page as a technician does, and read its answer."""
from __future__ import annotations

import datetime as dt

from scopekb.coverage.decide import Request

FORM = "#scopekb-checker"
RESULT = "#scopekb-checker [data-scopekb-result]"

READ_RESULT = """(result) => {
    const part = (name) => result.querySelector(`[data-part="${name}"]`);
    const question = part('question');
    return {
        attributes: {
            verdict: result.dataset.verdict, team: result.dataset.team || null,
            contract: result.dataset.contract || null, category: result.dataset.category || null,
            reasons: result.dataset.reasons,
        },
        verdict: part('verdict').textContent.trim(),
        team: part('team').textContent.trim(),
        reasons: [...part('reasons').querySelectorAll('li')].map(
            (li) => ({code: li.dataset.code, text: li.textContent})),
        actions: [...part('actions').querySelectorAll('li')].map((li) => li.textContent),
        question: question ? question.textContent : null,
    };
}"""


def wait_for_checker(page) -> None:
    page.wait_for_selector(f'{FORM}[data-ready="true"]', state="attached")


def asset_choices(page) -> list[str]:
    return page.eval_on_selector_all(f'{FORM} select[name="asset"] option', "os => os.map(o => o.value)")


def ask(page, kind: str, date: dt.date, item: str | None = None, asset: str | None = None,
        acquired: dt.date | None = None) -> dict:
    """Fill the form field by field, as a person would, and return what the result shows.

    An item is typed after emptying the asset choice, an asset picked from the list.
    """
    page.select_option(f'{FORM} select[name="kind"]', kind)
    page.fill(f'{FORM} input[name="date"]', date.isoformat())
    page.fill(f'{FORM} input[name="acquired"]', acquired.isoformat() if acquired else "")
    if asset:
        page.select_option(f'{FORM} select[name="asset"]', asset)
    else:
        if page.is_enabled(f'{FORM} select[name="asset"]'):
            page.select_option(f'{FORM} select[name="asset"]', "")
        page.fill(f'{FORM} input[name="item"]', item or "")
    return page.eval_on_selector(RESULT, READ_RESULT)


def ask_request(page, req: Request) -> dict:
    return ask(page, req.kind, req.date, item=req.item, asset=req.asset, acquired=req.acquired)


def as_shown(want: dict, data: dict) -> dict:
    """What the result should show for Python's answer `want` (Decision.as_json), with the page's data."""
    team = data["teams"].get(want["team"]) if want["team"] else None
    return {
        "attributes": {
            "verdict": want["verdict"], "team": want["team"], "contract": want["contract"],
            "category": want["category"], "reasons": " ".join(r["code"] for r in want["reasons"]),
        },
        "verdict": data["messages"][f"verdict.{want['verdict']}"],
        "team": f"{team['name']} ({team['phone']})" if team and team["phone"]
        else team["name"] if team else data["labels"]["none"],
        "reasons": want["reasons"],
        "actions": want["actions"],
        "question": want["question"],
    }


def page_data(page) -> dict:
    """The data the page's checker works from: the site's shared part and the page's client, as the page loads them."""
    return page.evaluate("window.scopekbChecker.pageData()")
