"""The shop's vocabulary: cars, parts, carriers, events and how customers write.

Faker knows names and addresses but nothing about cars, and trainees stop
taking a queue seriously once it reads like filler text. These lists make a
generated conversation sound like an enthusiast or a repair shop writing in.
Phrasings use `str.format` slots filled by the mock queue: {first_name},
{order_id}, {part}, {part_short}, {sku}, {vehicle}, {event}, {carrier},
{tracking_number}, {days}, {qty}, {shop}, {total}.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Vehicle:
    make: str
    model: str
    first_year: int
    last_year: int

    def pick_year(self, rng: random.Random) -> int:
        return rng.randint(self.first_year, self.last_year)


@dataclass(frozen=True)
class Part:
    sku: str
    name: str
    short: str
    price: float
    freight: bool = False


@dataclass(frozen=True)
class Carrier:
    name: str
    ltl: bool
    tracking_prefix: str
    tracking_digits: int

    def tracking_number(self, rng: random.Random) -> str:
        return self.tracking_prefix + random_digits(rng, self.tracking_digits)


DIGITS = "0123456789"


def random_digits(rng: random.Random, count: int) -> str:
    """`count` random decimal digits: the ones `count` calls of `rng.choice(DIGITS)` would give.

    Attempts are resumed and scored against the queue rebuilt from their
    seed, so a cheaper draw must not change it: `choice` picks below ten from
    4 random bits and draws again on 10 to 15, and so does this, at half the
    cost (a test holds it to `rng.choice`).
    """
    draw = rng.getrandbits
    digits: list[str] = []
    while len(digits) < count:
        bits = draw(4)
        if bits < 10:
            digits.append(DIGITS[bits])
    return "".join(digits)


CLASSIC_VEHICLES: tuple[Vehicle, ...] = (
    Vehicle("Chevrolet", "Camaro", 1967, 1969),
    Vehicle("Chevrolet", "Chevelle", 1964, 1972),
    Vehicle("Chevrolet", "C10", 1960, 1987),
    Vehicle("Chevrolet", "Nova", 1962, 1974),
    Vehicle("Chevrolet", "Bel Air", 1955, 1957),
    Vehicle("Ford", "Mustang", 1965, 1973),
    Vehicle("Ford", "F-100", 1953, 1979),
    Vehicle("Ford", "Model A", 1928, 1931),
    Vehicle("Ford", "Falcon", 1960, 1970),
    Vehicle("Dodge", "Charger", 1966, 1974),
    Vehicle("Dodge", "Challenger", 1970, 1974),
    Vehicle("Pontiac", "GTO", 1964, 1974),
    Vehicle("Pontiac", "Firebird", 1967, 1981),
    Vehicle("Plymouth", "Barracuda", 1964, 1974),
    Vehicle("Plymouth", "Road Runner", 1968, 1974),
    Vehicle("Oldsmobile", "Cutlass 442", 1964, 1972),
    Vehicle("Buick", "Skylark", 1964, 1972),
)
MODERN_VEHICLES: tuple[Vehicle, ...] = (
    Vehicle("Jeep", "Wrangler", 2007, 2024),
    Vehicle("Chevrolet", "Silverado 1500", 2014, 2024),
    Vehicle("Ford", "Mustang GT", 2015, 2024),
    Vehicle("Ford", "F-150", 2015, 2024),
    Vehicle("Dodge", "Challenger R/T", 2015, 2023),
    Vehicle("Chevrolet", "Corvette C5", 1997, 2004),
    Vehicle("Toyota", "Tacoma", 2016, 2023),
    Vehicle("Mazda", "Miata", 1990, 2005),
)
VEHICLES: tuple[Vehicle, ...] = CLASSIC_VEHICLES + MODERN_VEHICLES
_CLASSIC: frozenset[Vehicle] = frozenset(CLASSIC_VEHICLES)

PARTS: tuple[Part, ...] = (
    Part("EDL-1406", "Edelbrock 1406 600 cfm carburetor", "carb", 429.95),
    Part("HLY-0-80457S", "Holley 750 cfm double pumper carburetor", "carb", 689.95),
    Part("HDR-SBC-LT", "small-block Chevy long-tube headers", "headers", 389.00),
    Part("HDR-BBF-SH", "big-block Ford shorty headers", "headers", 329.00),
    Part("EDL-7101", "Edelbrock Performer RPM intake manifold", "intake", 349.95),
    Part("INT-LS-FAST92", "FAST LSXR 92 mm intake manifold", "intake", 879.00),
    Part("LS-SWAP-KIT-1", "LS swap kit (mounts, oil pan, wiring harness)", "swap kit", 1899.00, True),
    Part("COIL-QA-FRT", "QA1 front coilover kit", "coilovers", 1249.00),
    Part("BRK-DISC-CONV", "front disc brake conversion kit", "brake kit", 569.00),
    Part("BRK-PAD-CER-F", "ceramic front brake pads", "brake pads", 64.95),
    Part("RAD-ALU-2R", "two-row aluminum radiator", "radiator", 289.00),
    Part("RAD-FAN-SHRD", "radiator with dual electric fans and shroud", "radiator", 549.00, True),
    Part("FP-INTANK-340", "340 lph in-tank fuel pump", "fuel pump", 149.95),
    Part("FP-MECH-110", "110 gph mechanical fuel pump", "fuel pump", 89.95),
    Part("LS3-COIL-8", "LS3 ignition coil pack (set of 8)", "coil packs", 239.00),
    Part("MSD-8202", "MSD Blaster 2 ignition coil", "coil", 54.95),
    Part("DS-ALU-3IN", "3-inch aluminum driveshaft", "driveshaft", 649.00, True),
    Part("TRANS-T56-REB", "rebuilt T56 six-speed transmission", "T56", 3450.00, True),
    Part("SBC-350-CRATE", "350 small-block crate engine, 330 hp", "crate engine", 4995.00, True),
    Part("WP-ELEC-SBC", "electric water pump, small-block Chevy", "water pump", 219.00),
    Part("EXH-SS-25", "2.5-inch stainless exhaust system", "exhaust", 799.00, True),
    Part("SUS-LEAF-MONO", "rear mono-leaf springs (pair)", "leaf springs", 259.00, True),
    Part("WHL-CRGR-15", "15x8 Cragar S/S wheel", "wheel", 189.00),
    Part("GAUGE-AUTO-3", "Auto Meter oil pressure gauge", "gauge", 94.95),
)

CARRIERS: tuple[Carrier, ...] = (
    Carrier("UPS", False, "1Z", 16),
    Carrier("FedEx Ground", False, "", 12),
    Carrier("USPS", False, "9400", 18),
    Carrier("FedEx Freight", True, "PRO ", 10),
    Carrier("Old Dominion LTL", True, "PRO ", 10),
    Carrier("Estes Express", True, "PRO ", 10),
)
PARCEL_CARRIERS: tuple[Carrier, ...] = tuple(c for c in CARRIERS if not c.ltl)
FREIGHT_CARRIERS: tuple[Carrier, ...] = tuple(c for c in CARRIERS if c.ltl)
_CARRIERS_BY_NAME: dict[str, Carrier] = {c.name.lower(): c for c in CARRIERS}

EVENTS: tuple[str, ...] = (
    "Bonneville Speed Week",
    "the Goodguys Nationals",
    "the drag strip on Saturday",
    "the Hot Rod Power Tour",
    "Holley LS Fest",
    "the Woodward Dream Cruise",
    "a track day at Road America",
    "the Detroit Autorama",
)

EMAIL_DOMAINS: tuple[str, ...] = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

SHOP_SUFFIXES: tuple[str, ...] = (
    "Speed Shop",
    "Hot Rods",
    "Performance",
    "Kustoms",
    "Restorations",
    "Fleet Services",
)

OPENERS: dict[str, tuple[str, ...]] = {
    "shipping_delay": (
        "Ordered the {part} for my {vehicle} on the 2nd, order {order_id}. Tracking hasn't moved "
        "in {days} days and {carrier} just says 'label created'. What's going on?",
        "Hey, order {order_id} was supposed to be here by now. It's been sitting at the {carrier} "
        "hub for {days} days. I've got the {vehicle} up on jack stands waiting on the {part_short}.",
        "Hi, my {part_short} ({order_id}) still hasn't shown up. Tracking {tracking_number} has "
        "said 'in transit' for {days} days. Can you chase {carrier}?",
        "{days} days and no {part_short}. Order {order_id}. The car's torn apart in my garage, "
        "I need a real answer on where it is.",
    ),
    "order_status": (
        "Hi there, just checking on order {order_id} ({part}). Has it shipped yet? No rush, "
        "just planning my weekend around the install.",
        "Can you tell me the status of {order_id}? I ordered {qty} x {part_short} for a "
        "customer's {vehicle} and he keeps asking me.",
        "Quick one: did order {order_id} go out? I never got a shipping email for the {part_short}.",
    ),
    "rush_order": (
        "Need the {part} for my {vehicle} before {event}. Order {order_id} - will it make it "
        "in {days} days? I'll pay for overnight if I have to.",
        "We've got a customer's {vehicle} booked for {event} and the {part_short} on order "
        "{order_id} is the last piece. Any way to expedite?",
        "Racing at {event}, my {part_short} let go last pass. Just ordered a new one ({order_id}). "
        "Please tell me it ships today.",
    ),
    "defect": (
        "The {part} from order {order_id} is junk. Bolted it on my {vehicle} and it started "
        "leaking at the base after {days} days. Not happy.",
        "Got my {part_short} (order {order_id}) and there's a crack in the casting right out of "
        "the box. Photos attached. What are you going to do about it?",
        "Installed the {part} on a customer's {vehicle}, it failed on the first drive. Order "
        "{order_id}. I've lost a day of shop time on this.",
        "The {part_short} I got on {order_id} won't hold pressure, tested it twice. It's defective.",
    ),
    "warranty": (
        "My {part} (order {order_id}) died after about eight months on the {vehicle}. Pretty sure "
        "it's still under the one-year warranty - how do I start a claim?",
        "Warranty question: the {part_short} from {order_id} quit on me, {days} days short of a year. "
        "Do you handle the claim or do I go to the manufacturer?",
        "The {part_short} on my {vehicle} failed at {event}. Bought it from you last spring, order "
        "{order_id}. Is that covered?",
    ),
    "refund_request": (
        "I want a refund on order {order_id}. The {part} isn't what I expected and I've decided "
        "to go another direction with the {vehicle}.",
        "Please refund order {order_id} ({total}). The project {vehicle} got sold and I never opened the {part_short}.",
        "Requesting a full refund for {order_id}. The {part_short} showed up {days} days late and "
        "I had to buy one locally to make {event}.",
    ),
    "policy_exception": (
        "I know your return window is 30 days but I'm at day {days} on order {order_id}. The "
        "{part} is still in the box. Any chance you'll take it back?",
        "Can you waive the restocking fee on {order_id}? I ordered the wrong {part_short} for my "
        "{vehicle}, my mistake, but it's unopened.",
        "The {part_short} from {order_id} was installed once and pulled, it doesn't fit how I "
        "wanted. I know installed parts can't be returned but I'm a regular customer - can you "
        "make an exception?",
        "Summit has the {part} for less. Will you match their price on order {order_id}?",
    ),
    "fitment_doubt": (
        "Will the {part} clear the stock K-member on my {vehicle}? Don't want to order {order_id} twice.",
        "Before I bolt these up: are the {part_short} on order {order_id} going to work with a "
        "{vehicle} that has a TH400 and power steering?",
        "Does the {part} fit a {vehicle} with the factory column shift? Your fitment chart says "
        "yes but the forums say no.",
        "Customer's {vehicle} has a 4-inch drop. Is the {part_short} from {order_id} going to "
        "have enough clearance, or do we need the other part number?",
    ),
    "bulk_order": (
        "We run {shop} and want {qty} of the {part} for a fleet of builds (order {order_id}, "
        "{total}). Can you confirm the shop pricing and a ship date?",
        "Placed order {order_id} for {qty} x {sku} ({total}) for our customers' "
        "{vehicle} builds. Need it palletised and shipped {carrier}. Who handles shop accounts?",
        "Hi, {shop} here. Order {order_id} is our quarterly stock-up: {qty} units of {sku}. "
        "We need net-30 terms on this one.",
    ),
}

FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "shipping_delay": (
        "Any update? Still nothing on tracking.",
        "Hello? I've got {event} coming up and still no {part_short}.",
    ),
    "order_status": (
        "Never mind the weekend thing, just let me know when it ships.",
        "Also, can you add a gasket set to the same order if it hasn't gone out?",
    ),
    "rush_order": (
        "Just checking again - did it go out today?",
        "Happy to pay the difference for next-day air.",
    ),
    "defect": (
        "Sent the photos. Do I need to ship it back or what?",
        "I want a refund or a replacement, whatever is faster.",
    ),
    "warranty": (
        "I still have the box and the invoice if that helps.",
        "Can you cross-ship a replacement? The car is my daily.",
    ),
    "refund_request": (
        "It's unopened, I can drop it at UPS today.",
        "Please confirm the refund amount before I ship it back.",
    ),
    "policy_exception": (
        "I've spent a lot with you guys over the years, just asking for a little help here.",
        "Would store credit work instead?",
    ),
    "fitment_doubt": (
        "Also running aftermarket tubular control arms, if that matters.",
        "I can send pictures of the frame if that helps you answer.",
    ),
    "bulk_order": (
        "We can send a purchase order from our system if you need one.",
        "If the price works we'll make this a monthly order.",
    ),
}

AGENT_REPLIES: tuple[str, ...] = (
    "Hi {first_name}, thanks for reaching out about order {order_id}. I'm looking into it now "
    "and will get back to you shortly.",
    "Thanks {first_name}, I've got your order {order_id} pulled up and I'm checking with the warehouse.",
    "Hi {first_name}, thanks for your patience. Give me a little time to look into "
    "{order_id} and I'll update you here.",
)


def fill(phrase: str, slots: Mapping[str, object]) -> str:
    """A phrasing with its slots filled; a missing slot is a bug in the phrasebook."""
    return phrase.format_map(slots)


def vehicle_label(year: int, vehicle: Vehicle, rng: random.Random) -> str:
    """How people write a car: "'69 Camaro" for a classic, "2018 Wrangler" otherwise."""
    if vehicle in _CLASSIC and rng.random() < 0.6:
        return f"'{year % 100:02d} {vehicle.model}"
    return f"{year} {vehicle.make} {vehicle.model}"


def day_label(moment: date) -> str:
    """'Friday, June 12': English on any machine, where strftime's %A and %B follow the locale."""
    return f"{WEEKDAYS[moment.weekday()]}, {MONTHS[moment.month - 1]} {moment.day}"


def find_part(name: str) -> Part | None:
    """The catalogue part with this name or SKU, case-insensitive."""
    wanted = name.strip().lower()
    return next((p for p in PARTS if wanted in (p.name.lower(), p.sku.lower())), None)


def find_carrier(name: str) -> Carrier | None:
    """The carrier with this name, case-insensitive (asked for every conversation's labels)."""
    return _CARRIERS_BY_NAME.get(name.strip().lower())
