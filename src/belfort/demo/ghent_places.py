"""Places in Ghent the generated demo datasets refer to.

Names are real (the 25 city neighbourhoods, squares, streets and parking garages);
coordinates are approximate, hand-placed so relative positions look right on a map, and
figures (population, capacity, walkable area) are plausible, not official. Everything is
hard-coded so the demo needs no network and no shared data directory.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Wijk:
    nr: int  # demo sequence number (alphabetical), not the official district code
    naam: str
    lat: float
    lon: float
    inwoners: int  # plausible order of magnitude, not the official figure


WIJKEN: tuple[Wijk, ...] = (
    Wijk(1, "Binnenstad", 51.0543, 3.7233, 18_600),
    Wijk(2, "Bloemekenswijk", 51.0665, 3.7005, 8_700),
    Wijk(3, "Brugse Poort - Rooigem", 51.0575, 3.6985, 17_900),
    Wijk(4, "Dampoort", 51.0590, 3.7455, 12_300),
    Wijk(5, "Drongen", 51.0480, 3.6420, 13_200),
    Wijk(6, "Elisabethbegijnhof - Prinsenhof - Papegaai - Sint-Michiels", 51.0530, 3.7115, 8_900),
    Wijk(7, "Gentbrugge", 51.0395, 3.7660, 9_900),
    Wijk(8, "Gentse Kanaaldorpen en -zone", 51.1320, 3.7640, 2_300),
    Wijk(9, "Ledeberg", 51.0375, 3.7445, 10_200),
    Wijk(10, "Macharius - Heirnis", 51.0480, 3.7440, 6_900),
    Wijk(11, "Mariakerke", 51.0715, 3.6745, 13_400),
    Wijk(12, "Moscou - Vogelhoek", 51.0290, 3.7660, 4_900),
    Wijk(13, "Muide - Meulestede - Afrikalaan", 51.0730, 3.7355, 4_600),
    Wijk(14, "Nieuw Gent - UZ", 51.0240, 3.7290, 8_100),
    Wijk(15, "Oostakker", 51.0905, 3.7800, 13_700),
    Wijk(16, "Oud Gentbrugge", 51.0485, 3.7600, 8_300),
    Wijk(17, "Rabot - Blaisantvest", 51.0625, 3.7130, 10_300),
    Wijk(18, "Sint-Amandsberg", 51.0660, 3.7560, 26_100),
    Wijk(19, "Sint-Denijs-Westrem - Afsnee", 51.0260, 3.6650, 6_300),
    Wijk(20, "Sluizeken - Tolhuis - Ham", 51.0640, 3.7290, 9_900),
    Wijk(21, "Stationsbuurt-Noord", 51.0420, 3.7175, 13_300),
    Wijk(22, "Stationsbuurt-Zuid", 51.0325, 3.7065, 6_600),
    Wijk(23, "Watersportbaan - Ekkergem", 51.0455, 3.6940, 9_800),
    Wijk(24, "Wondelgem", 51.0805, 3.7120, 14_100),
    Wijk(25, "Zwijnaarde", 51.0090, 3.7150, 7_800),
)


@dataclass(frozen=True)
class Telpunt:
    """A pedestrian counting sensor; ``profiel`` selects the generator's daily pattern."""

    id: str
    naam: str
    wijk: str
    lat: float
    lon: float
    netto_oppervlakte_m2: int  # walkable area, for crowd density (people per m²)
    instrument: str  # telraam | camera | wifi
    in_dienst_sinds: str
    profiel: str  # winkel | plein | kouter | station | knooppunt | uitgaan | studenten
    niveau: int  # typical busy-hour count on a weekday, scales the profile
    feestzone: bool  # inside the Gentse Feesten and Lichtfestival perimeter


TELPUNTEN: tuple[Telpunt, ...] = (
    Telpunt("TP01", "Korenmarkt", "Binnenstad", 51.05455, 3.72135, 3_100, "camera", "2021-03-01", "plein", 1_900, True),
    Telpunt("TP02", "Veldstraat", "Binnenstad", 51.05180, 3.72250, 1_650, "camera", "2021-03-01", "winkel", 2_300, True),
    Telpunt("TP03", "Vrijdagmarkt", "Binnenstad", 51.05705, 3.72620, 7_400, "wifi", "2021-09-15", "plein", 950, True),
    Telpunt("TP04", "Graslei", "Binnenstad", 51.05465, 3.72050, 2_400, "camera", "2022-04-01", "plein", 1_200, True),
    Telpunt("TP05", "Sint-Baafsplein", "Binnenstad", 51.05310, 3.72620, 3_800, "wifi", "2021-09-15", "plein", 1_050, True),
    Telpunt("TP06", "Kouter", "Binnenstad", 51.04985, 3.72370, 6_500, "wifi", "2022-04-01", "kouter", 650, True),
    Telpunt("TP07", "Zuid (Woodrow Wilsonplein)", "Binnenstad", 51.04790, 3.73030, 3_200, "telraam", "2023-01-09", "knooppunt", 950, False),
    Telpunt("TP08", "Sint-Pietersplein", "Binnenstad", 51.04245, 3.72610, 18_000, "wifi", "2022-09-19", "studenten", 520, True),
    Telpunt("TP09", "Gent-Sint-Pieters stationsplein", "Stationsbuurt-Zuid", 51.03590, 3.71050, 6_000, "camera", "2021-03-01", "station", 2_600, False),
    Telpunt("TP10", "Dampoort stationsplein", "Dampoort", 51.05620, 3.74050, 1_500, "telraam", "2023-01-09", "station", 700, False),
    Telpunt("TP11", "Langemunt", "Binnenstad", 51.05600, 3.72400, 900, "camera", "2022-04-01", "winkel", 1_400, True),
    Telpunt("TP12", "Overpoortstraat", "Stationsbuurt-Noord", 51.04110, 3.72650, 1_300, "telraam", "2022-09-19", "uitgaan", 420, False),
)  # fmt: skip


@dataclass(frozen=True)
class Garage:
    naam: str
    capaciteit: int
    lat: float
    lon: float
    profiel: str  # centrum | station | buurt
    nachtsluiting: bool = False  # entrance closed 00:00-07:00 (cars inside stay)


GARAGES: tuple[Garage, ...] = (
    Garage("Vrijdagmarkt", 625, 51.05700, 3.72600, "centrum"),
    Garage("Reep", 460, 51.05430, 3.73050, "centrum"),
    Garage("Savaanstraat", 530, 51.04880, 3.72600, "centrum"),
    Garage("Ramen", 236, 51.05460, 3.71650, "centrum", nachtsluiting=True),
    Garage("Sint-Michiels", 448, 51.05330, 3.71720, "centrum"),
    Garage("Kouter", 410, 51.04960, 3.72320, "centrum"),
    Garage("Sint-Pietersplein", 688, 51.04230, 3.72570, "centrum"),
    Garage("Tolhuis", 163, 51.06240, 3.72380, "buurt", nachtsluiting=True),
    Garage("Ledeberg", 330, 51.03880, 3.74220, "buurt"),
    Garage("Dok Noord", 520, 51.06620, 3.73380, "buurt"),
    Garage("Zuid", 590, 51.04700, 3.73100, "centrum"),
    Garage("Gent Sint-Pieters", 960, 51.03480, 3.71080, "station"),
)


@dataclass(frozen=True)
class Straat:
    naam: str
    wijk: str
    lat: float
    lon: float


STRATEN: tuple[Straat, ...] = (
    Straat("Sint-Pietersnieuwstraat", "Binnenstad", 51.04500, 3.72590),
    Straat("Overpoortstraat", "Stationsbuurt-Noord", 51.04110, 3.72650),
    Straat("Veldstraat", "Binnenstad", 51.05180, 3.72250),
    Straat("Vrijdagmarkt", "Binnenstad", 51.05705, 3.72620),
    Straat("Dampoortstraat", "Dampoort", 51.05850, 3.74150),
    Straat("Sleepstraat", "Sluizeken - Tolhuis - Ham", 51.06250, 3.72400),
    Straat("Wondelgemstraat", "Rabot - Blaisantvest", 51.06450, 3.71700),
    Straat("Bevrijdingslaan", "Bloemekenswijk", 51.06500, 3.70450),
    Straat("Phoenixstraat", "Brugse Poort - Rooigem", 51.05750, 3.70300),
    Straat("Kortrijksesteenweg", "Stationsbuurt-Noord", 51.03900, 3.71300),
    Straat("Brusselsesteenweg", "Ledeberg", 51.03700, 3.74600),
    Straat("Antwerpsesteenweg", "Sint-Amandsberg", 51.06450, 3.75700),
    Straat("Dendermondsesteenweg", "Dampoort", 51.05600, 3.74700),
    Straat("Gebroeders Vandeveldestraat", "Ledeberg", 51.03650, 3.74200),
    Straat("Meulestedesteenweg", "Muide - Meulestede - Afrikalaan", 51.07300, 3.72900),
    Straat("Hundelgemsesteenweg", "Gentbrugge", 51.03700, 3.76300),
    Straat("Voskenslaan", "Stationsbuurt-Zuid", 51.03300, 3.70900),
    Straat("Koning Albertlaan", "Stationsbuurt-Noord", 51.04100, 3.71700),
    Straat("Drongensesteenweg", "Watersportbaan - Ekkergem", 51.05100, 3.68900),
    Straat("Oudenaardsesteenweg", "Nieuw Gent - UZ", 51.03000, 3.72200),
    Straat("Blaisantvest", "Rabot - Blaisantvest", 51.06300, 3.71200),
    Straat("Sint-Salvatorstraat", "Macharius - Heirnis", 51.05300, 3.74200),
    Straat("Jan Palfijnstraat", "Brugse Poort - Rooigem", 51.06200, 3.69900),
    Straat("Botermarkt", "Binnenstad", 51.05400, 3.72500),
    Straat("Oostakkerdorp", "Oostakker", 51.09300, 3.78200),
    Straat("Zwijnaardsesteenweg", "Zwijnaarde", 51.01300, 3.71700),
    Straat("Landegemstraat", "Mariakerke", 51.07200, 3.67700),
    Straat("Brugsesteenweg", "Wondelgem", 51.07800, 3.70200),
)
