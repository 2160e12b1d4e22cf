"""The documents of a generated knowledge base, as the search sees them, and the articles it lacks.

`make_articles` writes N French articles (a few paragraphs each, helpdesk vocabulary in its inflected
forms) into content/articles/ of a knowledge base made by site_build.make_knowledge_base, so that
MkDocs builds them too; `documents` reads the base back (contracts/*.yaml, the provider's catalogue,
content/**/*.md) into the pages the site has: a page and a decision tree per client, a page per
category, the articles.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

import yaml

from scopekb.kb.model import slugify
from scopekb.site.search_index import SearchDocument

# (singular, plural, the catalogue category of contracts/provider.yaml an article about it is filed in)
SUBJECTS = [("imprimante", "imprimantes", "printers"), ("écran", "écrans", "workstations"),
            ("poste de travail", "postes de travail", "workstations"), ("serveur", "serveurs", "servers"),
            ("routeur", "routeurs", "network"), ("messagerie", "messageries", "office-apps"),
            ("session Windows", "sessions Windows", "workstations"),
            ("boîte aux lettres", "boîtes aux lettres", "office-apps"), ("sauvegarde", "sauvegardes", "servers"),
            ("licence", "licences", "software"), ("scanner", "scanners", "printers"),
            ("borne Wi-Fi", "bornes Wi-Fi", "network"), ("disque réseau", "disques réseau", "servers"),
            ("clavier", "claviers", "workstations"), ("certificat", "certificats", "internet"),
            ("mot de passe", "mots de passe", "software"), ("pilote", "pilotes", "software"),
            ("onduleur", "onduleurs", "servers"), ("téléphone IP", "téléphones IP", "lan"),
            ("tablette", "tablettes", "workstations")]
SOFTWARE = ["Outlook", "Excel", "Word", "Teams", "Sage Paie", "Cegid", "EBP", "AutoCAD", "Photoshop", "OneDrive",
            "VPN FortiClient", "Chrome", "Firefox", "Acrobat Reader", "Windows 11", "macOS"]
PROBLEMS = ["ne démarre plus", "reste bloqué au démarrage", "affiche un message d'erreur", "est très lent",
            "n'imprime plus", "se déconnecte sans cesse", "refuse la connexion", "ne se synchronise plus",
            "a disparu du réseau", "redémarre en boucle", "ne reconnaît plus le périphérique"]
SENTENCES = [
    "Vérifier d'abord que le contrat couvre {the} {s} concerné{e} et relever son numéro d'inventaire.",
    "Demander à l'utilisateur depuis quand {the} {s} {problem} et si d'autres collègues sont touchés.",
    "Redémarrer {the} {s}, puis contrôler les voyants et les câbles avant tout autre diagnostic.",
    "Les {p} partagé{e}s du même service présentent souvent les mêmes symptômes au même moment.",
    "Si {software} est en cause, fermer l'application, vider le cache puis relancer la synchronisation.",
    "Mettre à jour les pilotes et les correctifs de sécurité, puis redémarrer le poste de l'utilisateur.",
    "Noter dans le ticket les manipulations effectuées, les messages affichés et l'heure de l'incident.",
    "Quand le défaut persiste après ces vérifications, escalader au support de niveau 2 avec le diagnostic.",
    "Contrôler l'adresse IP attribuée, la passerelle et la résolution DNS depuis une invite de commandes.",
    "Faire confirmer le résultat par l'utilisateur avant de clôturer le ticket et de prévenir le client.",
    "Les configurations réseau modifiées récemment expliquent la plupart des déconnexions constatées.",
    "Réinstaller {software} uniquement si la réparation en ligne a échoué et que la licence est disponible.",
]
FEMININE = {"imprimante", "messagerie", "session Windows", "boîte aux lettres", "sauvegarde", "licence",
            "borne Wi-Fi", "tablette"}
HEADINGS = ["Symptômes", "Diagnostic", "Résolution", "Quand escalader"]


def make_articles(root: Path, count: int, seed: int = 3) -> None:
    """Write `count` articles into root/content/articles/."""
    rnd = random.Random(seed)
    folder = root / "content" / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        singular, plural, category = rnd.choice(SUBJECTS)
        software, problem = rnd.choice(SOFTWARE), rnd.choice(PROBLEMS)
        feminine = singular in FEMININE
        the = "l'" if singular[0] in "aeéiouh" else "la" if feminine else "le"
        words = {"s": singular, "p": plural, "the": the, "e": "e" if feminine else "", "software": software,
                 "problem": problem}
        title = f"{singular[0].upper()}{singular[1:]} : {software} {problem} ({n})"
        # Front matter as scopekb's articles have it (MkDocs leaves it out of the page), then the title.
        lines = ["---", f'title: "{title}"', f"categories: [{category}]", "audience: internal", "---", "",
                 f"# {title}", ""]
        for heading in HEADINGS:
            lines += [f"## {heading}", ""]
            paragraph = " ".join(rnd.sample(SENTENCES, 3)).format(**words).replace("l' ", "l'")
            lines += [paragraph, ""]
        (folder / f"article-{n:03d}.md").write_text("\n".join(lines), encoding="utf-8")


def _markdown_text(source: str) -> tuple[str, str]:
    """The title (first heading) and the plain text of a Markdown page."""
    title = next((line[2:].strip() for line in source.splitlines() if line.startswith("# ")), "")
    matter = re.match(r"---\n(.*?)\n---\n", source, re.S)
    if matter:
        title = str(yaml.safe_load(matter.group(1)).get("title", title))
        source = source[matter.end():]
    text = re.sub(r"^#+ .*$", "", source, flags=re.M)
    text = re.sub(r"[`*_>#|\[\]()]", " ", text)
    return title, " ".join(text.split())


def documents(root: Path) -> list[SearchDocument]:
    """The search documents of the knowledge base in `root`: articles first, then categories, clients
    and their trees (the order of equal hits)."""
    found = []
    for source in sorted((root / "content").rglob("*.md")):
        rel = source.relative_to(root / "content").with_suffix("").as_posix()
        if rel in ("index", "README") or rel.endswith("/index"):
            continue
        title, text = _markdown_text(source.read_text(encoding="utf-8"))
        found.append(SearchDocument(f"{rel}/", title, "article", text))
    provider = yaml.safe_load((root / "contracts" / "provider.yaml").read_text(encoding="utf-8"))
    labels = {}
    for key, category in provider["catalog"].items():
        labels[key] = category["label"]
        found.append(SearchDocument(f"categories/{key}/", category["label"], "category",
                                    " ".join(category.get("keywords", [])), keywords=(key,)))
    teams = {key: f"{team['name']} ({team.get('phone', '')})" for key, team in provider["teams"].items()}
    policies = {"all": "tout le matériel du client", "listed": "le matériel listé seulement",
                "acquired-before-signature": "le matériel acquis avant la signature"}
    clients: dict[str, dict] = {}
    for path in sorted((root / "contracts").glob("client-*.yaml")):
        # The text a client's page shows of each contract (what Material's search indexed of it).
        contract = yaml.safe_load(path.read_text(encoding="utf-8"))
        name = contract["client"]["name"]
        client = clients.setdefault(name, {"aliases": set(), "lines": [], "keywords": []})
        client["aliases"].update(contract["client"].get("aliases", []))
        remote = "oui" if contract.get("remote_installation") else "non"
        client["lines"].append(
            f"Contrat {contract['id']}. Parties : {provider['provider']['name']} (prestataire), {name} (client). "
            f"Signé le {contract['signed']}. Début {contract['start']}. Fin {contract['end']}. Services couverts : "
            f"{', '.join(contract['services'])}. Installation par téléphone : {remote}. Périmètre :")
        for scope in contract["scope"]:
            team = teams[scope.get("team", "helpdesk")]
            items = ", ".join(scope.get("items", []))
            client["lines"].append(f"{labels[scope['category']]} — niveau {scope['level'].upper()} — {team}"
                                   + (f" ; éléments : {items}." if items else "."))
        equipment = contract["equipment"]
        client["lines"].append(f"Équipement couvert : {policies[equipment['policy']]}.")
        for item in equipment.get("items") or []:
            client["keywords"] += [item["id"], item["model"]]
            acquired = f", acquis le {item['acquired']}" if item.get("acquired") else ""
            client["lines"].append(f"{item['id']} {item['model']} ({labels[item['category']]}){acquired}.")
        client["lines"].append(
            f"Hors périmètre : transmettre à {teams['management']} ; proposer "
            f"{', '.join(contract['out_of_scope'].get('may_propose', []))}. {contract.get('public_notes', '')} "
            f"{contract.get('internal_notes', '')}")
    for name, client in clients.items():
        slug = slugify(name)
        keywords = tuple(sorted(client["aliases"])) + tuple(client["keywords"])
        found.append(SearchDocument(f"clients/{slug}.html", name, "client", " ".join(client["lines"]),
                                    keywords=keywords))
        found.append(SearchDocument(f"arbres/{slug}.html", f"Arbre de décision : {name}", "tree",
                                    "Quel est le type de la demande ? Sur quoi porte-t-elle ? Quand le matériel "
                                    "a-t-il été acquis ?", keywords=tuple(sorted(client["aliases"]))))
    return found
