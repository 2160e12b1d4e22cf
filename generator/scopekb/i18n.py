"""Every sentence scopekb says, in French (the default) and English.

Messages are `str.format` templates with named fields. The browser checker
receives the same table, so the site and `scopekb check` word things alike.
The site's own words (pages, finder, the checker's form) are in
site_templates/strings.yaml, read by `site_strings`.
"""
from __future__ import annotations

import functools

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "label.client": "Client",
        "label.contract": "Contrat",
        "label.category": "Catégorie",
        "label.team": "Équipe",
        "label.reasons": "Raison",
        "label.question": "Question",
        "label.actions": "À faire",
        "label.none": "aucun",
        "label.candidates": "Clients possibles (relancer avec le slug)",
        "verdict.handle": "PRIS EN CHARGE",
        "verdict.route": "À ROUTER",
        "verdict.out-of-scope": "HORS PÉRIMÈTRE",
        "verdict.no-contract": "PAS DE CONTRAT EN VIGUEUR",
        "verdict.ask": "À PRÉCISER",
        "kind.incident": "incident",
        "kind.installation": "installation",
        "kind.information": "information",
        "kind.change": "évolution ou nouveau besoin",
        "reason.no-contract": "Aucun contrat ne correspond au client « {client} ».",
        "reason.client-uncertain": "« {client} » ne désigne exactement aucun client, mais peut désigner un client sous contrat.",
        "reason.contract-inactive": "Aucun contrat de {client} n'est en vigueur le {date}.",
        "reason.asset-unknown": "L'équipement « {asset} » ne figure dans aucun contrat en vigueur de {client}.",
        "reason.no-match": "« {text} » ne correspond à aucun élément du périmètre, équipement ou catégorie connus.",
        "reason.not-in-perimeter": "La catégorie « {category} » n'est pas dans le périmètre du contrat {contract}.",
        "reason.subject-unknown": "L'objet de la demande n'est pas précisé.",
        "reason.service-not-covered": "Le contrat {contract} ne couvre pas les demandes de type « {kind} ».",
        "reason.not-listed": "Le contrat {contract} ne couvre que le matériel listé, et la demande ne désigne aucun équipement de sa liste.",
        "reason.acquisition-date-unknown": "Le contrat {contract} ne couvre que le matériel acquis avant sa signature, le {signed} ; la date d'acquisition est inconnue.",
        "reason.acquired-after-signature": "Matériel acquis le {acquired}, après la signature du contrat {contract} le {signed} : il n'est pas couvert.",
        "reason.in-scope": "« {category} » est dans le périmètre du contrat {contract} (niveau {level}).",
        "question.client": "Laquelle de ces entreprises est celle de l'appelant : {candidates} ?",
        "question.client-candidate": "{name} ({slug})",
        "word.list-sep": " ; ",
        "question.subject": "Sur quoi porte la demande : quel logiciel, quel matériel, quel équipement ?",
        "question.acquired": "À quelle date le matériel concerné a-t-il été acquis (le contrat a été signé le {signed}) ?",
        "action.record": "Enregistrer l'appel dans un ticket d'incident.",
        "action.diagnose": "Établir un diagnostic et résoudre la demande ; si elle reste non résolue, l'escalader au support de niveau 2.",
        "action.install-by-phone": "Réaliser l'installation par téléphone avec l'utilisateur.",
        "action.route": "Router la demande vers {team}{phone}.",
        "action.route-install": "Router la demande vers {team}{phone} pour une installation sur site.",
        "action.follow-up": "Clore le ticket après avoir prévu une suite à la demande.",
        "action.escalate": "Transmettre la demande à {team}{phone}, qui décide de la suite avec le client.",
        "action.propose.extension": "Le technicien peut proposer une extension du contrat (avenant).",
        "action.propose.billed-service": "Le technicien peut proposer une intervention facturée.",
        "action.propose.new-contract": "Le technicien peut proposer un nouveau contrat de service.",
        "action.propose.none": "Ne rien proposer au client : {team} décide de la suite.",
        "action.ask": "Demander à l'appelant : {question}",
        "action.recheck": "Refaire la vérification avec sa réponse.",
    },
    "en": {
        "label.client": "Client",
        "label.contract": "Contract",
        "label.category": "Category",
        "label.team": "Team",
        "label.reasons": "Reason",
        "label.question": "Question",
        "label.actions": "To do",
        "label.none": "none",
        "label.candidates": "Possible clients (check again with the slug)",
        "verdict.handle": "HANDLE",
        "verdict.route": "ROUTE",
        "verdict.out-of-scope": "OUT OF SCOPE",
        "verdict.no-contract": "NO CONTRACT IN FORCE",
        "verdict.ask": "ASK THE CALLER",
        "kind.incident": "incident",
        "kind.installation": "installation",
        "kind.information": "information",
        "kind.change": "change or new need",
        "reason.no-contract": "No contract matches the client \"{client}\".",
        "reason.client-uncertain": "\"{client}\" names no client exactly, but may mean a client under contract.",
        "reason.contract-inactive": "No contract of {client} is in force on {date}.",
        "reason.asset-unknown": "Asset \"{asset}\" is in no contract of {client} in force.",
        "reason.no-match": "\"{text}\" matches no known scope item, equipment or category.",
        "reason.not-in-perimeter": "Category \"{category}\" is not in the perimeter of contract {contract}.",
        "reason.subject-unknown": "What the request concerns is not stated.",
        "reason.service-not-covered": "Contract {contract} does not cover requests of kind \"{kind}\".",
        "reason.not-listed": "Contract {contract} covers listed equipment only, and the request names none of its assets.",
        "reason.acquisition-date-unknown": "Contract {contract} covers only equipment acquired before it was signed, on {signed}; the acquisition date is unknown.",
        "reason.acquired-after-signature": "Equipment acquired on {acquired}, after contract {contract} was signed on {signed}: it is not covered.",
        "reason.in-scope": "\"{category}\" is in the perimeter of contract {contract} (level {level}).",
        "question.client": "Which of these companies is the caller's: {candidates}?",
        "question.client-candidate": "{name} ({slug})",
        "word.list-sep": "; ",
        "question.subject": "What does the request concern: which software, hardware or asset?",
        "question.acquired": "When was the equipment acquired (the contract was signed on {signed})?",
        "action.record": "Record the call in an incident ticket.",
        "action.diagnose": "Diagnose and resolve the request; if it stays unresolved, escalate it to level 2 support.",
        "action.install-by-phone": "Install it by phone with the user.",
        "action.route": "Route the request to {team}{phone}.",
        "action.route-install": "Route the request to {team}{phone} for an on-site installation.",
        "action.follow-up": "Close the ticket after planning a follow-up.",
        "action.escalate": "Pass the request to {team}{phone}, who decides the follow-up with the client.",
        "action.propose.extension": "The technician may offer a contract extension (amendment).",
        "action.propose.billed-service": "The technician may offer a billed intervention.",
        "action.propose.new-contract": "The technician may offer a new service contract.",
        "action.propose.none": "Offer nothing to the client: {team} decides the follow-up.",
        "action.ask": "Ask the caller: {question}",
        "action.recheck": "Check again with the answer.",
    },
}


def message(lang: str, key: str, **fields: object) -> str:
    """The sentence `key` in `lang`, with its fields filled in."""
    return MESSAGES[lang][key].format(**fields)


@functools.lru_cache(maxsize=None)
def site_strings() -> dict[str, dict[str, str]]:
    """The words of the generated site by language: site_templates/strings.yaml."""
    import importlib.resources

    import yaml  # here: `scopekb check` needs MESSAGES alone

    text = importlib.resources.files("scopekb.site_templates").joinpath("strings.yaml").read_text("utf-8")
    return yaml.load(text, Loader=yaml.CSafeLoader)
