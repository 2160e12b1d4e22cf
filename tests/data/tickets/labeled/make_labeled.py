"""Writes the labeled ticket set: labeled.glpi.csv (a GLPI export, French labels) and labeled.labels.csv.

Run from the repository root: `python tests/data/tickets/make_labeled.py`. The
output is committed; this script is kept to show how it was made and to
make it again (seeded: the same files every time).

Texts come from labeled_banks.py (hand-written paraphrases); this script
only adds what real tickets have around them: greetings, signatures with the
caller's name and phone number, typos, missing accents, HTML as GLPI stores
it, several requesters, open tickets, tickets without a category, clients
named by alias or misspelt, and every quirk of GLPI's CSV export.
"""
from __future__ import annotations

import datetime as dt
import random
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from labeled_banks import MALFUNCTIONS, SINGLETONS  # noqa: E402

HEADER = ["ID", "Titre", "Entité", "Statut", "Date d'ouverture", "Date de résolution", "Date de clôture",
          "Type", "Catégorie", "Demandeur - Demandeur", "Attribué à - Technicien",
          "Attribué à - Groupe de techniciens", "Description", "Solution - Solution"]
CLIENTS = ["Cabinet Dupont & Associés", "Dupont & Associés", "CDA", "Clinique vétérinaire des Châtaigniers",
           "Clinique des Châtaigniers", "Coopérative agricole du Val-de-Loire", "Éditions Marchand & Cie",
           "Editions Marchand", "Garage Rousseau & Frères", "Garage Rousseau", "Hôtel Le Belvédère",
           "Le Belvédère", "Menuiserie Bérard & Fils", "Office notarial Garnier & Roux", "Garnier & Roux",
           "Garage Rouseau", "Boulangerie Lemaire"]
REQUESTERS = ["Durand Marie", "Lefèvre Jean-Pierre", "Moreau Camille", "Girard Hélène", "Fontaine Luc",
              "Chevalier Anaïs", "Lambert Yves", "Faure Nathalie", "Bonnet Sébastien", "Mercier Élodie",
              "Blanc Olivier", "Guérin Sophie", "Muller Thierry", "Henry Agnès", "Perrin Julien",
              "Morel Claire", "Gauthier Rémi", "Masson Inès", "Roussel Franck", "Lemoine Céline"]
N1 = [("Martin Paul", "Helpdesk N1"), ("Bernard Sophie", "Helpdesk N1"), ("Dubois Karim", "Helpdesk N1")]
N2 = {"servers": ("Roux Thomas", "Support N2 systèmes et réseaux"),
      "network": ("Roux Thomas", "Support N2 systèmes et réseaux"),
      "apps": ("Leroy Mathilde", "Support N2 applications métier")}
OPENERS = ["Bonjour,", "Bonjour", "Bonjour, ", "", "", "Hello,", "Bonjour à vous,", "Bjr,"]
CLOSERS = ["Merci d'avance.", "Cordialement", "Merci", "", "Merci de votre aide", "Bonne journée", "urgent svp"]
OPEN_STATUSES = ["En cours (Attribué)", "En attente", "Nouveau", "En cours (Planifié)"]


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def typo(text: str, rng: random.Random) -> str:
    """Two adjacent letters swapped in one word of five letters or more, as a hurried typist does."""
    words = text.split(" ")
    long_ones = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_ones:
        return text
    i = rng.choice(long_ones)
    w = words[i]
    k = rng.randrange(1, len(w) - 2)
    words[i] = w[:k] + w[k + 1] + w[k] + w[k + 2:]
    return " ".join(words)


def roughen(text: str, rng: random.Random, accents: float, typos: float) -> str:
    if rng.random() < accents:
        text = strip_accents(text)
    if rng.random() < typos:
        text = typo(text, rng)
    return text


def as_glpi_html(paragraphs: list[str], rng: random.Random) -> str:
    """Rich text as GLPI exports it: entity-encoded markup, in one of its two spellings, or plain."""
    style = rng.random()
    if style < 0.15:
        return "\n".join(paragraphs)
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = html.replace("&", "&amp;")
    if style < 0.75:
        return html.replace("<", "&lt;").replace(">", "&gt;")
    return html.replace("<", "&#60;").replace(">", "&#62;")


def glpi_date(moment: dt.datetime) -> str:
    return moment.strftime("%d-%m-%Y %H:%M")


def glpi_id(number: int, rng: random.Random) -> str:
    if number < 1000:
        return str(number)
    sep = rng.choice([" ", "\u00a0", ""])
    return f"{number // 1000}{sep}{number % 1000:03d}"


def level_team(label: str, category_path: str, rng: random.Random) -> tuple[str, str]:
    if label in ("backup-failed",) or category_path.startswith("Serveurs"):
        return N2["servers"] if rng.random() < 0.8 else rng.choice(N1)
    if label in ("accounting-app",) or category_path.startswith("Logiciels métier"):
        return N2["apps"] if rng.random() < 0.7 else rng.choice(N1)
    if label in ("vpn-fails", "wifi-drops") and rng.random() < 0.4:
        return N2["network"]
    return rng.choice(N1)


def make_ticket(rng: random.Random, label: str, path: str, title: str, description: str,
                solution: str) -> dict:
    requesters = rng.sample(REQUESTERS, 2 if rng.random() < 0.1 else 1)
    first_name = requesters[0].split(" ", 1)[1]
    last_name = requesters[0].split(" ", 1)[0]
    parts = [p for p in (rng.choice(OPENERS), roughen(description, rng, 0.2, 0.15)) if p]
    extra = rng.random()
    if extra < 0.15:
        parts.append(f"Vous pouvez me joindre au 0{rng.randint(1, 7)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                     f"{rng.randint(10, 99)} {rng.randint(10, 99)}.")
    elif extra < 0.25:
        parts.append(f"Mon adresse : {strip_accents(first_name).lower()}.{strip_accents(last_name).lower()}@exemple.fr")
    closer = rng.choice(CLOSERS)
    if closer:
        parts.append(closer)
    if rng.random() < 0.4:
        parts.append(f"{first_name} {last_name}".upper() if rng.random() < 0.2 else f"{first_name} {last_name}")
    title = roughen(title, rng, 0.25, 0.12)
    if rng.random() < 0.2:
        title = title.lower()
    opened = dt.datetime(2025, 1, 6, 8) + dt.timedelta(days=rng.randrange(300), minutes=rng.randrange(600))
    status = "Clos" if rng.random() < 0.85 else "Résolu"
    if rng.random() < 0.05:
        status = rng.choice(OPEN_STATUSES)
    technician, group = level_team(label, path, rng)
    resolved = closed = None
    if status in ("Clos", "Résolu"):
        resolved = opened + dt.timedelta(minutes=int(rng.lognormvariate(4.0, 1.2)) + 5)
        if status == "Clos":
            closed = resolved + dt.timedelta(days=rng.randint(1, 7))
    if rng.random() < 0.06:
        path = ""
    return {
        "label": label,
        "Titre": title,
        "Entité": "Entité racine > " + rng.choice(CLIENTS),
        "Statut": status,
        "Date d'ouverture": glpi_date(opened),
        "Date de résolution": glpi_date(resolved) if resolved else "",
        "Date de clôture": glpi_date(closed) if closed else "",
        "Type": "Incident" if rng.random() < 0.8 else "Demande",
        "Catégorie": path.replace(">", "&gt;") if rng.random() < 0.1 else path,
        "Demandeur - Demandeur": "<br>".join(requesters),
        "Attribué à - Technicien": technician if resolved else "",
        "Attribué à - Groupe de techniciens": group,
        "Description": as_glpi_html(parts, rng),
        "Solution - Solution": as_glpi_html([solution], rng) if resolved else "",
    }


def tickets(rng: random.Random) -> list[dict]:
    made = []
    for label, bank in MALFUNCTIONS.items():
        titles = list(bank["titles"])
        rng.shuffle(titles)
        titles += rng.sample(bank["titles"], 2)  # a few callers use the same words
        solutions = bank["solutions"]
        for n, title in enumerate(titles):
            description = bank["descriptions"][n % len(bank["descriptions"])]
            # the usual solution most of the time, as in a real desk
            solution = solutions[0] if rng.random() < 0.6 else rng.choice(solutions[1:])
            made.append(make_ticket(rng, label, rng.choice(bank["paths"]), title, description, solution))
    for path, title, description, solution in SINGLETONS:
        made.append(make_ticket(rng, "none", path, title, description, solution))
    rng.shuffle(made)
    return made


def cell(text: str) -> str:
    """A cell as GLPI writes it: quoted, each `"` turned into `''`."""
    return '"' + text.replace('"', "''") + '"'


def main() -> None:
    rng = random.Random(20250314)
    made = tickets(rng)
    rows = [";".join(cell(h) for h in HEADER) + ";"]
    labels = ["id,label"]
    for number, ticket in enumerate(made, start=980):
        ident = glpi_id(number, rng)
        values = [ident] + [ticket[h] for h in HEADER[1:]]
        rows.append(";".join(cell(v) for v in values) + ";")
        labels.append(f"{number},{ticket['label']}")
    (HERE / "labeled.glpi.csv").write_bytes(b"\xef\xbb\xbf" + ("\n".join(rows) + "\n").encode("utf-8"))
    (HERE / "labeled.labels.csv").write_text("\n".join(labels) + "\n", encoding="utf-8")
    print(f"{len(made)} tickets, {len(MALFUNCTIONS)} malfunctions, {len(SINGLETONS)} singletons")


if __name__ == "__main__":
    main()
