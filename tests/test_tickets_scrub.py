"""Scrubbing: planted personal data never survives, ordinary helpdesk text always does."""
from __future__ import annotations

import datetime as dt

import pytest

from scopekb.tickets import Scrubber, Ticket, scrub_text

PLANTED = {
    "phone": ["01 23 45 67 89", "01.23.45.67.89", "01-23-45-67-89", "0123456789", "+33 1 23 45 67 89",
              "+33 (0)1 23 45 67 89", "+33(0)6 12 34 56 78", "0033 1 23 45 67 89", "+44 20 7946 0958",
              "+1 (555) 123-4567", "+49 30 1234567"],
    "email": ["marie.durand@cabinet-dupont.fr", "j-p.lefevre+gpi@exemple.co.uk", "HELPDESK@INFOGEST.FR"],
    "ip": ["192.168.1.23", "10.0.0.254", "fe80::1ff:fe23:4567:890a", "2001:db8::8a2e:370:7334", "::1"],
    "iban": ["FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189", "DE89 3704 0044 0532 0130 00",
             "GB82 WEST 1234 5698 7654 32"],
}
ORDINARY = ["PRN-0107", "HL-L5100DN", "10.0.19045", "10.0.19045.3803", "12/03/2024", "2024-03-12 14:32",
            "14:32:05", "0x80070002", "SRV-0005", "Windows 11 23H2", "KB5034441", "port 8080", "1.2.3",
            "FR76 1234 5678 9012 3456 7890 123", "N° de série 123456789012345", "MAC 00:1A:2B:3C:4D:5E"]


@pytest.mark.parametrize("kind, planted", [(k, v) for k, values in PLANTED.items() for v in values])
def test_planted_data_does_not_survive(kind, planted):
    text = f"Bonjour, voici : {planted}. Merci"
    scrubbed = scrub_text(text)
    assert planted not in scrubbed
    placeholder = {"phone": "[téléphone]", "email": "[e-mail]", "ip": "[adresse IP]", "iban": "[IBAN]"}[kind]
    assert scrubbed == f"Bonjour, voici : {placeholder}. Merci"


@pytest.mark.parametrize("ordinary", ORDINARY)
def test_ordinary_text_survives(ordinary):
    text = f"Poste {ordinary} en panne depuis ce matin"
    assert scrub_text(text, names=["Durand Marie"], contacts=["Support N2 systèmes et réseaux"]) == text


def test_names_in_any_case_with_or_without_accents():
    names = ["Lefèvre Jean-Pierre", "GIRARD Hélène"]
    text = ("Appel de jean-pierre LEFEVRE pour Mme Girard. Rappeler Hélène ou helene, "
            "M. Lefèvre absent ; signé JEAN PIERRE.")
    scrubbed = scrub_text(text, names=names)
    assert scrubbed == "Appel de [nom] pour Mme [nom]. Rappeler [nom] ou [nom], M. [nom] absent ; signé [nom]."


def test_contacts_are_scrubbed_as_whole_names_only():
    contacts = ["Support N2 systèmes et réseaux", "Marie-Claude Dufresne"]
    text = "Transmis au support n2 Systemes et Reseaux ; le réseau du support tient. Vu avec Marie-Claude DUFRESNE."
    assert scrub_text(text, contacts=contacts) == \
        "Transmis au [nom] ; le réseau du support tient. Vu avec [nom]."


def test_name_particles_and_short_words_are_not_names():
    assert scrub_text("Le PC de la salle", names=["de la Salle Louis"]) == "Le PC de la [nom]"


def test_english_placeholders():
    text = "Call Durand on 01 23 45 67 89 or d@x.fr, host 10.1.2.3, IBAN FR7630006000011234567890189"
    assert scrub_text(text, names=["Durand"], lang="en") == \
        "Call [name] on [phone] or [e-mail], host [IP address], IBAN [IBAN]"


def test_a_ticket_is_scrubbed_and_loses_its_names():
    ticket = Ticket("t.csv", 2, "7", "Durand : imprimante", "Marie Durand, 06 12 34 56 78", "Vu avec DURAND",
                    requesters=("Durand Marie",), technicians=("Martin Paul",), opened=dt.datetime(2025, 1, 1))
    scrubbed = Scrubber().ticket(ticket)
    assert (scrubbed.title, scrubbed.description, scrubbed.solution) == \
        ("[nom] : imprimante", "[nom], [téléphone]", "Vu avec [nom]")
    assert scrubbed.requesters == () and scrubbed.technicians == ()
    assert scrubbed.opened == ticket.opened and scrubbed.id == "7"


def test_nothing_planted_survives_in_the_labeled_set():
    """The labeled set plants callers' names, phone numbers and addresses in descriptions."""
    from pathlib import Path

    from scopekb.tickets import read_export

    path = Path(__file__).resolve().parent / "data" / "tickets" / "labeled" / "labeled.glpi.csv"
    scrubber = Scrubber(["Helpdesk N1"])
    for ticket in read_export(path)[1]:
        scrubbed = scrubber.ticket(ticket)
        for name in ticket.requesters:
            for word in name.split():
                assert word.lower() not in scrubbed.description.lower(), (ticket.id, word)
        assert "@" not in scrubbed.description and "joindre au 0" not in scrubbed.description
