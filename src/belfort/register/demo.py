"""A demo processing register: ten activities a city like Ghent carries out.

Invented for the demo (modelled on the kinds of entries Ghent publishes), with fixed
GUIDs so links, tests and URIs stay stable. ``DEMO_LINKS`` ties demo datasets that hold
personal data to their entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from belfort.catalog.models import ProcessingActivity
from belfort.catalog.store import find_dataset
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.publishing import update_dataset_metadata
from belfort.register import store
from belfort.register.dataset import REGISTER_DATASET, publish_register_dataset

CITIZEN = "burger"
EMPLOYEE = "werknemer stad"
NAME_ADDRESS = {"type": "Identificatiegegevens", "description": "Naam, adres en geboortedatum van de aanvrager."}
CONTACT = {"type": "Contactgegevens", "description": "E-mailadres en telefoonnummer."}
NATIONAL_NUMBER = {"type": "Rijksregisternummer", "description": "Rijksregisternummer van de betrokkene."}

MELDINGEN = "6f1c2a9e-3b7d-4e58-9c21-8d4f0a6b3e17"

ACTIVITIES: list[tuple[str, dict[str, Any]]] = [
    ("0b8e4f3a-6c21-4d97-8a5e-2f1b9c7d4e60", {
        "name": "Bewonersparkeerkaart aanvragen en beheren",
        "description": "Behandelen van aanvragen voor een bewonerskaart, controle van de voorwaarden "
                       "en opvolgen van de betaling.",
        "category": "Dienstverlening", "processor": "Mobiliteitsbedrijf",
        "legal_basis": "Algemeen belang of openbaar gezag",
        "legal_basis_explained": "Het parkeerbeleid is een taak van algemeen belang van de stad.",
        "formal_framework": "Gemeentelijk parkeerreglement",
        "purposes": ["Toekennen van een bewonerskaart", "Controle op het parkeren in de bewonerszone"],
        "data_subjects": ["Inwoners", "Bezoekers van inwoners"],
        "grantees": ["Parkeerbeheerder", "Stad Gent"],
        "personal_data": [NAME_ADDRESS, {"type": "Voertuiggegevens",
                                         "description": "Nummerplaat en inschrijvingsbewijs van de wagen."},
                          {"type": "Financiële gegevens", "description": "Betalingen van de kaart."}],
        "retention": "5 jaar na het einde van de kaart",
        "third_country_transfers": "Geen",
        "security_measures": "Toegang enkel voor medewerkers van de dienst; versleutelde verbinding; logging.",
        "audience": CITIZEN,
    }),
    ("1a7d5c2b-8e34-4f19-b6a0-3c9e2d8f5a71", {
        "name": "Registers van de burgerlijke stand",
        "description": "Opmaken en bewaren van akten van geboorte, huwelijk, echtscheiding en overlijden.",
        "category": "Wettelijke opdracht", "processor": "Burgerzaken",
        "legal_basis": "Wettelijke verplichting",
        "legal_basis_explained": "De ambtenaar van de burgerlijke stand moet de akten opmaken.",
        "formal_framework": "Burgerlijk Wetboek, boek 1, titel 2",
        "purposes": ["Opmaken van akten van de burgerlijke stand", "Afleveren van afschriften en uittreksels"],
        "data_subjects": ["Inwoners", "Ouders", "Echtgenoten"],
        "grantees": ["FOD Binnenlandse Zaken", "FOD Justitie"],
        "personal_data": [NAME_ADDRESS, NATIONAL_NUMBER,
                          {"type": "Gezinssamenstelling", "description": "Ouders, kinderen en echtgenoten."}],
        "sensitive_personal_data": [{"type": "Gezondheidsgegevens",
                                     "description": "Doodsoorzaak op het overlijdensattest (enkel bewaard, niet gedeeld)."}],
        "retention": "Permanent (archiefwet)",
        "third_country_transfers": "Geen",
        "security_measures": "Databank Akten Burgerlijke Stand (DABS); toegang volgens machtiging.",
        "audience": CITIZEN,
    }),
    ("2c9f6e1d-4a58-4b23-9d7c-5e0a1f3b6c82", {
        "name": "Leefloon en aanvullende financiële steun",
        "description": "Sociaal onderzoek, toekennen en uitbetalen van het leefloon en van aanvullende "
                       "steun door het OCMW.",
        "category": "Sociale dienstverlening", "processor": "OCMW Gent - Sociale dienst",
        "legal_basis": "Wettelijke verplichting",
        "formal_framework": "Wet van 26 mei 2002 betreffende het recht op maatschappelijke integratie",
        "purposes": ["Onderzoek van het recht op leefloon", "Uitbetalen van steun"],
        "data_subjects": ["Aanvragers van steun", "Gezinsleden"],
        "grantees": ["POD Maatschappelijke Integratie", "Kruispuntbank van de Sociale Zekerheid"],
        "personal_data": [NAME_ADDRESS, NATIONAL_NUMBER,
                          {"type": "Financiële gegevens", "description": "Inkomsten, schulden en bankrekening."}],
        "sensitive_personal_data": [{"type": "Gezondheidsgegevens",
                                     "description": "Medische attesten die een hulpvraag staven."}],
        "retention": "10 jaar na de laatste steun",
        "third_country_transfers": "Geen",
        "security_measures": "Beroepsgeheim van de maatschappelijk werkers; dossiers enkel in het "
                             "sociaal dossierbeheer; jaarlijkse toegangscontrole.",
        "audience": CITIZEN,
    }),
    ("3e1a8b4f-7c92-4d36-a5e1-6f2b0c4d7e93", {
        "name": "Cameratoezicht op openbaar domein",
        "description": "Vaste camera's op drukke pleinen om overlast en criminaliteit vast te stellen.",
        "category": "Veiligheid", "processor": "Dienst Preventie voor Veiligheid",
        "legal_basis": "Wettelijke verplichting",
        "legal_basis_explained": "Plaatsing na positief advies van de gemeenteraad en de politie.",
        "formal_framework": "Camerawet van 21 maart 2007",
        "purposes": ["Vaststellen van misdrijven en overlast", "Ondersteunen van de politie bij evenementen"],
        "data_subjects": ["Voorbijgangers"],
        "grantees": ["Politiezone Gent", "Parket Oost-Vlaanderen"],
        "personal_data": [{"type": "Camerabeelden", "description": "Beelden van personen op openbaar domein."}],
        "retention": "1 maand, tenzij nodig als bewijs",
        "third_country_transfers": "Geen",
        "security_measures": "Beelden enkel live bekeken door bevoegde politiemensen; opnames versleuteld.",
        "audience": CITIZEN,
    }),
    ("4f2b9c5a-1d63-4e47-b8f2-7a3c1d5e8fa4", {
        "name": "Uitlenen in de bibliotheek",
        "description": "Ledenbeheer, uitleningen, reservaties en boetes in De Krook en de filialen.",
        "category": "Dienstverlening", "processor": "Bibliotheek De Krook",
        "legal_basis": "Uitvoering van een overeenkomst",
        "formal_framework": "Bibliotheekreglement",
        "purposes": ["Beheer van lidmaatschap en uitleningen", "Versturen van herinneringen"],
        "data_subjects": ["Leden van de bibliotheek"],
        "grantees": ["Cultuurconnect"],
        "personal_data": [NAME_ADDRESS, CONTACT,
                          {"type": "Uitleengegevens", "description": "Wat uitgeleend is, tot 3 maanden na terugbrengen."}],
        "retention": "2 jaar na het einde van het lidmaatschap",
        "third_country_transfers": "Geen",
        "security_measures": "Bibliotheeksysteem met rollen; uitleenhistoriek gewist na 3 maanden.",
        "audience": CITIZEN,
    }),
    ("5a3c0d6b-2e74-4f58-8c03-8b4d2e6f9ab5", {
        "name": "Huisvuilophaling en containerpark",
        "description": "Ophaling aan huis, toegang tot de recyclageparken en de diftar-facturatie.",
        "category": "Dienstverlening", "processor": "IVAGO",
        "legal_basis": "Algemeen belang of openbaar gezag",
        "formal_framework": "Materialendecreet en het politiereglement op de afvalinzameling",
        "purposes": ["Plannen van de ophaalrondes", "Toegangscontrole op de recyclageparken"],
        "data_subjects": ["Inwoners", "Handelaars"],
        "grantees": ["IVAGO"],
        "personal_data": [NAME_ADDRESS, {"type": "Adresgegevens", "description": "Ophaaladres en containernummer."}],
        "retention": "7 jaar (facturatie)",
        "third_country_transfers": "Geen",
        "security_measures": "Verwerkersovereenkomst met IVAGO; toegang via eID in het recyclagepark.",
        "audience": CITIZEN,
    }),
    ("6b4d1e7c-3f85-4a69-9d14-9c5e3f7a0bc6", {
        "name": "Evenementenvergunningen",
        "description": "Aanvragen voor evenementen op openbaar domein behandelen en adviezen van "
                       "politie en brandweer vragen.",
        "category": "Vergunningen", "processor": "Dienst Feesten en Evenementen",
        "legal_basis": "Algemeen belang of openbaar gezag",
        "formal_framework": "Algemeen politiereglement van de stad Gent",
        "purposes": ["Behandelen van vergunningsaanvragen", "Veiligheidsadvies voor evenementen"],
        "data_subjects": ["Organisatoren van evenementen"],
        "grantees": ["Politiezone Gent", "Brandweerzone Centrum"],
        "personal_data": [NAME_ADDRESS, CONTACT],
        "retention": "5 jaar na het evenement",
        "third_country_transfers": "Geen",
        "security_measures": "Aanvragen via het e-loket met aanmelding; rollen per adviesdienst.",
        "audience": CITIZEN,
    }),
    (MELDINGEN, {
        "name": "Meldingen over het openbaar domein",
        "description": "Meldingen van burgers over sluikstort, defecte verlichting of schade aan "
                       "de weg opvolgen en de melder op de hoogte houden.",
        "category": "Dienstverlening", "processor": "Gentinfo",
        "legal_basis": "Algemeen belang of openbaar gezag",
        "formal_framework": "Decreet over het lokaal bestuur, art. 2",
        "purposes": ["Opvolgen en herstellen van gemelde problemen", "De melder informeren"],
        "data_subjects": ["Melders"],
        "grantees": ["Stad Gent", "IVAGO"],
        "personal_data": [CONTACT, {"type": "Locatiegegevens", "description": "De plaats van de melding."}],
        "retention": "2 jaar na het afsluiten van de melding",
        "third_country_transfers": "Geen",
        "security_measures": "Meldingen intern geclassificeerd; publieke statistieken zonder persoonsgegevens.",
        "audience": CITIZEN,
    }),
    ("7c5e2f8d-4a96-4b7a-8e25-0d6f4a8b1cd7", {
        "name": "Burgerparticipatie en bevragingen",
        "description": "Inschrijvingen voor wijkraden en online bevragingen over stadsprojecten.",
        "category": "Participatie", "processor": "Dienst Beleidsparticipatie",
        "legal_basis": "Toestemming",
        "legal_basis_explained": "Deelnemers geven toestemming bij de inschrijving en kunnen ze intrekken.",
        "purposes": ["Organiseren van participatietrajecten", "Rapporteren over de resultaten (geanonimiseerd)"],
        "data_subjects": ["Deelnemers"],
        "grantees": ["Stad Gent"],
        "personal_data": [CONTACT, {"type": "Meningen", "description": "Antwoorden op bevragingen."}],
        "retention": "1 jaar na het einde van het traject",
        "third_country_transfers": "Geen; de bevragingstool draait in de EU.",
        "security_measures": "Resultaten enkel geanonimiseerd gepubliceerd.",
        "audience": CITIZEN,
    }),
    ("8d6f3a9e-5b07-4c8b-9f36-1e7a5b9c2de8", {
        "name": "Inschrijvingen in stedelijke scholen",
        "description": "Aanmelden en inschrijven van leerlingen in het stedelijk onderwijs.",
        "category": "Onderwijs", "processor": "Onderwijscentrum Gent",
        "legal_basis": "Wettelijke verplichting",
        "formal_framework": "Decreet basisonderwijs en Codex Secundair Onderwijs",
        "purposes": ["Toewijzen van een plaats in een school", "Leerlingenadministratie"],
        "data_subjects": ["Leerlingen", "Ouders"],
        "grantees": ["Agentschap voor Onderwijsdiensten", "Centrum voor Leerlingenbegeleiding"],
        "personal_data": [NAME_ADDRESS, NATIONAL_NUMBER, CONTACT],
        "sensitive_personal_data": [{"type": "Gezondheidsgegevens",
                                     "description": "Zorgnoden van de leerling, met toestemming van de ouders."}],
        "retention": "Tot 10 jaar na het verlaten van de school",
        "third_country_transfers": "Geen",
        "security_measures": "Aanmeldsysteem met eID; zorggegevens enkel voor het zorgteam.",
        "audience": CITIZEN,
    }),
    ("9e7a4b0f-6c18-4d9c-a047-2f8b6c0d3ef9", {
        "name": "Loonadministratie",
        "description": "Berekenen en uitbetalen van lonen van stads- en OCMW-personeel.",
        "category": "Personeelsbeheer", "processor": "Dienst HR",
        "legal_basis": "Uitvoering van een overeenkomst",
        "formal_framework": "Rechtspositieregeling van het personeel",
        "purposes": ["Uitbetalen van lonen", "Aangiften bij de sociale zekerheid en de fiscus"],
        "data_subjects": ["Personeelsleden"],
        "grantees": ["Sociaal secretariaat", "RSZ", "FOD Financiën"],
        "personal_data": [NAME_ADDRESS, NATIONAL_NUMBER,
                          {"type": "Financiële gegevens", "description": "Loon, bankrekening en fiscale gegevens."}],
        "sensitive_personal_data": [{"type": "Gezondheidsgegevens", "description": "Afwezigheid door ziekte."}],
        "retention": "5 jaar na uitdiensttreding (sociale documenten)",
        "third_country_transfers": "Geen",
        "security_measures": "Loonsysteem enkel voor de loondienst; tweestapsaanmelding.",
        "audience": EMPLOYEE,
    }),
    ("a08b5c1d-7e29-4fa0-b158-3a9c7d1e4f0a", {
        "name": "Toegangsbadges voor stadsgebouwen",
        "description": "Aanmaken van badges en registreren van toegang tot stadsgebouwen.",
        "category": "Veiligheid", "processor": "Facility Management",
        "legal_basis": "Gerechtvaardigd belang",
        "legal_basis_explained": "Beveiliging van gebouwen en van wie er werkt.",
        "purposes": ["Toegangscontrole"],
        "data_subjects": ["Personeelsleden", "Externe medewerkers"],
        "grantees": ["Stad Gent"],
        "personal_data": [{"type": "Identificatiegegevens", "description": "Naam en foto op de badge."},
                          {"type": "Toegangsgegevens", "description": "Tijdstip en deur van toegang."}],
        "retention": "6 maanden (toegangslogs)",
        "third_country_transfers": "Geen",
        "security_measures": "Logs enkel ingekeken bij incidenten, door twee personen.",
        "audience": EMPLOYEE,
    }),
]

DEMO_LINKS = {"meldingen-openbaar-domein-intern": MELDINGEN}


def load_demo_register(platform: Platform, principal: Principal) -> Iterator[str]:
    """Create the demo entries that are missing (published) and publish the register
    dataset when it changed or does not exist yet. Idempotent."""
    created = 0
    with platform.db.session() as session:
        for guid, data in ACTIVITIES:
            if session.get(ProcessingActivity, guid) is None:
                store.create_activity(session, principal.actor, data, state="published", activity_id=guid)
                created += 1
        dataset = find_dataset(session, REGISTER_DATASET)
        missing_dataset = dataset is None or not dataset.versions
    if created or missing_dataset:
        platform.generation.bump()
        outcome = publish_register_dataset(platform, principal)
        yield f"{REGISTER_DATASET}: {outcome.row_count} rows (register entries), published"
    else:
        yield f"{REGISTER_DATASET}: already loaded"


def link_demo_datasets(platform: Platform, principal: Principal) -> None:
    """Link demo datasets that hold personal data to their entry (if loaded and unlinked)."""
    for dataset_id, guid in DEMO_LINKS.items():
        with platform.db.session() as session:
            dataset = find_dataset(session, dataset_id)
            done = dataset is None or (dataset.personal_data and dataset.processing_activity == guid)
        if not done:
            update_dataset_metadata(platform, principal, dataset_id,
                                    {"personal_data": True, "processing_activity": guid})
