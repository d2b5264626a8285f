"""Realistic demo data: a county council's suppliers, contracts, spend, savings and pipeline.

Scale 1 is about one council year: 2,000 suppliers, 800 contracts and 60,000 spend lines over
the three financial years 2022/23 to 2024/25. The same seed and scale always give the same
suppliers, contracts and spend (each stage draws from its own `random.Random`, so changing one
stage does not reshuffle the others). Contract end dates are placed around the day the data is
generated, so there are always contracts ending in the next twelve months. Each payment's
contract is set as it is written, by the rule procurement.services.payment_matching applies (same
supplier, paid within the contract's dates, latest start wins), and the spend dashboard's
summary is rebuilt afterwards.

What marks demo data, so `--replace` removes only what the generator made:

- spend: the SpendImport rows named ``demo-data`` (their transactions go with them);
- suppliers, contracts, variations, savings and pipeline items: their "created" history record
  carries the change reason ``DEMO_REASON``. A demo supplier or contract that real data has
  since been attached to (an imported payment, a contract, a saving) is kept;
- the twelve officer users (officer01..officer12) and the categories are kept and reused;
- maturity assessments and targets are append-only, so they are never removed: they are marked
  ``(demo data)`` in their commentary or rationale and added only once.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts import roles
from core.financial_year import financial_year_of
from procurement.identity import name_key as normalise_name
from procurement.models import (
    Category,
    Contract,
    PipelineItem,
    Risk,
    Route,
    Saving,
    SpendImport,
    SpendTransaction,
    SubTeam,
    Supplier,
    Variation,
)
from procurement.services.spend_summary import spend_summary_rebuild

DEMO_FILENAME = "demo-data"
DEMO_REASON = "Demo data (generate_demo_data)"
DEMO_MARK = "(demo data)"
OFFICER_DOMAIN = "worcestershire.gov.uk.example"
COUNCIL = "Worcestershire County Council"

PER_SCALE = {"suppliers": 2000, "contracts": 800, "lines": 60_000, "savings": 150, "pipeline": 40}
ANNUAL_SPEND = 450_000_000  # pounds a year at scale 1
FIRST_YEAR, YEARS = 2022, 3  # spend runs 1 April 2022 to 31 March 2025
TOP_SHARE = 0.60  # the top 5% of suppliers by value take about this share of the spend
ON_CONTRACT = 0.8  # a contract holder's payment falls inside one of its contracts this often
BATCH = 5000


class Profile(NamedTuple):
    """A category as the generator sees it: what it is called and who sells it."""

    name: str
    sub_team: str
    areas: tuple[str, ...]  # expense areas in the spend file
    types: tuple[str, ...]  # expense types in the spend file
    trades: tuple[str, ...]  # words for its suppliers' names
    titles: tuple[str, ...]  # contract titles
    weight: int  # how many suppliers work in it, relative to the other categories


# fmt: off
CATEGORIES: dict[str, Profile] = {
    "adult_res": Profile(
        "Adult social care: residential and nursing", SubTeam.PEOPLE, ("Adult Services",),
        ("Residential Care", "Nursing Care", "Respite Care"),
        ("Care Homes", "Nursing Home", "Care", "Healthcare", "Residential Care"),
        (
            "Residential and nursing care placements: {district}",
            "Block beds for discharge to assess", "Dementia nursing care block contract",
        ),
        8,
    ),
    "adult_home": Profile(
        "Adult social care: home care", SubTeam.PEOPLE, ("Adult Services",),
        ("Domiciliary Care", "Home Care", "Reablement"),
        ("Home Care", "Homecare", "Care at Home", "Care Services", "Carers"),
        (
            "Home care framework lot {lot}: {district}", "Reablement service: {district}",
            "Extra care housing support",
        ),
        8,
    ),
    "supported": Profile(
        "Supported living and learning disabilities", SubTeam.PEOPLE, ("Adult Services",),
        ("Supported Living", "Day Opportunities"),
        ("Supported Living", "Support Services", "Day Services", "Independent Living"),
        (
            "Supported living framework lot {lot}",
            "Day opportunities for adults with learning disabilities", "Shared lives scheme",
        ),
        5,
    ),
    "children": Profile(
        "Children's social care", SubTeam.PEOPLE, ("Children's Services",),
        ("Independent Fostering Agency", "Residential Placements", "Family Support"),
        ("Fostering", "Childcare", "Children's Homes", "Family Services"),
        (
            "Independent fostering agency placements",
            "Children's residential placements framework", "Family support service: {district}",
            "Supported accommodation for care leavers",
        ),
        5,
    ),
    "send": Profile(
        "Special educational needs and disabilities", SubTeam.PEOPLE,
        ("Children's Services", "Education and Skills"),
        ("Independent Special School Fees", "SEND Escorts", "Educational Psychology"),
        ("Education", "Learning", "Tutoring", "Schools"),
        (
            "Independent special school placements", "Alternative provision framework",
            "SEND tuition service",
        ),
        3,
    ),
    "public_health": Profile(
        "Public health services", SubTeam.PEOPLE, ("Public Health",),
        ("Health Improvement", "Substance Misuse Services", "Sexual Health"),
        ("Health", "Wellbeing", "Health Services", "Therapies"),
        (
            "Integrated substance misuse service", "Sexual health service",
            "Healthy lifestyles service", "Stop smoking service: {district}",
        ),
        2,
    ),
    "school_transport": Profile(
        "Home to school transport", SubTeam.PLACE, ("Education and Skills", "Transport Operations"),
        ("Home to School Transport", "SEN Transport"),
        ("Taxis", "Private Hire", "Cars", "Travel", "Minibuses", "Coaches"),
        (
            "Home to school transport routes: {district}",
            "SEND transport dynamic purchasing system", "Post-16 transport contract",
        ),
        7,
    ),
    "passenger_transport": Profile(
        "Public and community transport", SubTeam.PLACE, ("Transport Operations",),
        ("Bus Service Contracts", "Concessionary Fares", "Community Transport Grants"),
        ("Coaches", "Buses", "Travel", "Coach Hire"),
        (
            "Supported local bus services: {district}", "Concessionary travel reimbursement",
            "Demand responsive transport",
        ),
        2,
    ),
    "highways": Profile(
        "Highways maintenance", SubTeam.PLACE, ("Highways and Transport",),
        ("Highways Maintenance", "Resurfacing", "Winter Maintenance"),
        ("Highways", "Surfacing", "Civil Engineering", "Groundworks", "Drainage"),
        (
            "Highways maintenance term contract", "Carriageway resurfacing programme",
            "Gully cleansing and drainage", "Winter gritting service",
        ),
        4,
    ),
    "lighting": Profile(
        "Street lighting and traffic signals", SubTeam.PLACE, ("Highways and Transport",),
        ("Street Lighting Maintenance", "Traffic Signals"),
        ("Electrical", "Lighting", "Electrical Contractors", "Signals"),
        (
            "Street lighting maintenance", "Traffic signals maintenance",
            "LED lantern replacement programme",
        ),
        2,
    ),
    "waste": Profile(
        "Waste management", SubTeam.PLACE, ("Waste Management",),
        ("Waste Disposal", "Recycling Credits", "Household Recycling Centres"),
        ("Waste", "Recycling", "Skip Hire", "Waste Services"),
        (
            "Household recycling centres operation", "Waste disposal and energy from waste",
            "Recycling credits", "Clinical waste collection",
        ),
        2,
    ),
    "construction": Profile(
        "Construction and capital works", SubTeam.PLACE,
        ("Economy and Infrastructure", "Property Services"),
        ("Capital Works", "Building Works", "Design Fees"),
        ("Construction", "Builders", "Building Contractors", "Roofing", "Joinery"),
        (
            "School extension: {district}", "Bridge strengthening works",
            "Capital maintenance framework lot {lot}", "Cycle route improvements: {district}",
        ),
        5,
    ),
    "countryside": Profile(
        "Environment and countryside", SubTeam.PLACE, ("Economy and Infrastructure",),
        ("Grounds Maintenance", "Countryside Management", "Tree Works"),
        ("Landscapes", "Tree Surgery", "Grounds Maintenance", "Arboricultural Services", "Fencing"),
        (
            "Countryside sites grounds maintenance", "Tree safety works: {district}",
            "Public rights of way maintenance", "Flood risk management works",
        ),
        4,
    ),
    "ict": Profile(
        "ICT", SubTeam.CORPORATE, ("IT and Digital",),
        ("Software Licences", "IT Hardware", "IT Services", "Telecommunications"),
        ("IT Solutions", "Computer Services", "Digital", "Software", "Technology", "Networks"),
        (
            "Social care case management system", "Microsoft licensing agreement",
            "Wide area network services", "End user devices", "Cyber security services",
        ),
        4,
    ),
    "professional": Profile(
        "Professional services", SubTeam.CORPORATE, ("Commercial and Change", "Chief Executive's"),
        ("Consultancy", "Professional Fees", "Interim Support"),
        ("Consulting", "Consultancy", "Associates", "Advisory"),
        (
            "Transformation programme support", "Engineering consultancy framework",
            "Commercial advisory services", "Valuation services",
        ),
        4,
    ),
    "legal": Profile(
        "Legal services", SubTeam.CORPORATE, ("Legal and Democratic Services",),
        ("Legal Fees", "Counsel Fees"),
        ("Solicitors", "Law", "Legal Services"),
        (
            "External legal services panel", "Childcare legal advice", "Counsel fees framework",
        ),
        2,
    ),
    "finance": Profile(
        "Finance, audit and banking", SubTeam.CORPORATE, ("Finance",),
        ("Audit Fees", "Bank Charges", "Payment Services"),
        ("Accountants", "Accountancy", "Financial Services", "Payroll Services"),
        (
            "External audit", "Banking services", "Payment card processing",
            "Treasury management advice",
        ),
        2,
    ),
    "recruitment": Profile(
        "Recruitment and agency staff", SubTeam.CORPORATE, ("HR and Organisational Development",),
        ("Agency Staff", "Recruitment Advertising"),
        ("Recruitment", "Staffing", "Personnel", "Resourcing"),
        (
            "Managed service for temporary agency resources", "Social work locum framework",
            "Executive recruitment",
        ),
        2,
    ),
    "training": Profile(
        "Training and learning", SubTeam.CORPORATE,
        ("HR and Organisational Development", "Education and Skills"),
        ("Training Courses", "Apprenticeship Training"),
        ("Training", "Learning", "Skills", "Academy"),
        (
            "Corporate training framework", "Social care workforce training",
            "Apprenticeship training provision",
        ),
        3,
    ),
    "marketing": Profile(
        "Marketing, print and communications", SubTeam.CORPORATE, ("Communications",),
        ("Printing", "Advertising", "Design"),
        ("Print", "Design", "Media", "Creative", "Signs"),
        (
            "Print management services", "Public notices advertising", "Website design and hosting",
        ),
        3,
    ),
    "insurance": Profile(
        "Insurance", SubTeam.CORPORATE, ("Finance",),
        ("Insurance Premiums", "Claims Handling"),
        ("Insurance Brokers", "Insurance Services", "Risk Management"),
        (
            "Property and liability insurance", "Motor fleet insurance", "Claims handling services",
        ),
        1,
    ),
    "facilities": Profile(
        "Property and facilities", SubTeam.OPERATIONS, ("Property Services", "Corporate Landlord"),
        ("Building Maintenance", "Cleaning", "Security", "Rents"),
        (
            "Facilities", "Cleaning", "Maintenance", "Property Services", "Security", "Plumbing",
            "Heating",
        ),
        (
            "Corporate cleaning services", "Planned and reactive building maintenance",
            "Security and key holding", "Fire alarm maintenance", "Lift maintenance",
        ),
        6,
    ),
    "energy": Profile(
        "Energy", SubTeam.OPERATIONS, ("Property Services",),
        ("Electricity", "Gas", "Water Charges"),
        ("Energy", "Power", "Renewables", "Solar"),
        (
            "Electricity supply", "Gas supply", "Water and wastewater services",
            "Solar panel installation",
        ),
        1,
    ),
    "fleet": Profile(
        "Fleet and vehicles", SubTeam.OPERATIONS, ("Transport Operations",),
        ("Vehicle Hire", "Vehicle Maintenance", "Fuel"),
        ("Motors", "Garage", "Vehicle Hire", "Commercials", "Tyres"),
        (
            "Fleet maintenance", "Vehicle hire", "Fuel cards", "Pool car scheme",
        ),
        3,
    ),
    "catering": Profile(
        "Catering and food", SubTeam.OPERATIONS, ("Education and Skills", "Adult Services"),
        ("Catering Supplies", "School Meals", "Provisions"),
        ("Catering", "Foods", "Bakery", "Butchers", "Fresh Produce"),
        (
            "School meals service", "Catering supplies framework", "Meals on wheels",
        ),
        3,
    ),
    "office": Profile(
        "Office supplies and equipment", SubTeam.OPERATIONS,
        ("Commercial and Change", "Property Services"),
        ("Stationery", "Furniture", "Equipment", "Postage"),
        ("Office Supplies", "Furniture", "Stationery", "Office Equipment", "Interiors"),
        (
            "Office supplies", "Office furniture", "Multi-functional devices", "Postal services",
        ),
        3,
    ),
}
# fmt: on
CARE = {"adult_res", "adult_home", "supported", "children", "send", "public_health"}
PERSONAL_DATA = CARE | {"school_transport", "ict", "recruitment", "legal", "finance"}
SLAVERY_RISK = {"adult_res", "adult_home", "facilities", "construction", "catering", "waste"}
CARBON = {"highways", "waste", "passenger_transport", "school_transport", "fleet", "energy"}

# National and regional firms, most important first: scale 0.01 gets only the first one.
# (name, category, strategic, VCSE, local)
NATIONALS: tuple[tuple[str, str, bool, bool, bool], ...] = (
    ("Ringway Infrastructure Services Ltd", "highways", True, False, False),
    ("Mercia Waste Management Ltd", "waste", True, False, True),
    ("Place Partnership Ltd", "facilities", True, False, True),
    ("Capita Business Services Ltd", "ict", True, False, False),
    ("Amey LG Ltd", "highways", True, False, False),
    ("HC-One Ltd", "adult_res", True, False, False),
    ("Barchester Healthcare Ltd", "adult_res", True, False, False),
    ("Speller Metcalfe Malvern Ltd", "construction", True, False, True),
    ("National Express Ltd", "school_transport", False, False, False),
    ("Voyage Care Ltd", "supported", True, False, False),
    ("Outcomes First Group Ltd", "send", False, False, False),
    ("Kier Integrated Services Ltd", "highways", False, False, False),
    ("Balfour Beatty Living Places Ltd", "lighting", False, False, False),
    ("FCC Environment (UK) Ltd", "waste", False, False, False),
    ("Veolia ES (UK) Ltd", "waste", False, False, False),
    ("Computacenter (UK) Ltd", "ict", False, False, False),
    ("Softcat PLC", "ict", False, False, False),
    ("Civica UK Ltd", "ict", False, False, False),
    ("Liquidlogic Ltd", "ict", False, False, False),
    ("The Access Group Ltd", "ict", False, False, False),
    ("British Telecommunications PLC", "ict", False, False, False),
    ("Vodafone Ltd", "ict", False, False, False),
    ("Mitie Ltd", "facilities", False, False, False),
    ("ISS Facility Services Ltd", "facilities", False, False, False),
    ("Serco Ltd", "facilities", False, False, False),
    ("Sodexo Ltd", "catering", False, False, False),
    ("Engie Services Ltd", "facilities", False, False, False),
    ("Care UK Community Partnerships Ltd", "adult_res", False, False, False),
    ("Sanctuary Care Ltd", "adult_res", False, True, False),
    ("Runwood Homes Ltd", "adult_res", False, False, False),
    ("Avery Healthcare Group Ltd", "adult_res", False, False, False),
    ("Bluebird Care Ltd", "adult_home", False, False, False),
    ("Helping Hands Home Care Ltd", "adult_home", False, False, False),
    ("Mears Care Ltd", "adult_home", False, False, False),
    ("Lifeways Community Care Ltd", "supported", False, False, False),
    ("Dimensions (UK) Ltd", "supported", False, True, False),
    ("Royal Mencap Society", "supported", False, True, False),
    ("Keys Group Ltd", "children", False, False, False),
    ("National Fostering Agency Ltd", "children", False, False, False),
    ("Compass Fostering Ltd", "children", False, False, False),
    ("Barnardo's", "children", False, True, False),
    ("Action for Children", "children", False, True, False),
    ("Witherslack Group Ltd", "send", False, False, False),
    ("Priory Education Services Ltd", "send", False, False, False),
    ("Change Grow Live", "public_health", False, True, False),
    ("Turning Point", "public_health", False, True, False),
    ("First Midland Red Buses Ltd", "passenger_transport", False, False, False),
    ("Diamond Bus Ltd", "passenger_transport", False, False, False),
    ("Arriva Midlands Ltd", "passenger_transport", False, False, False),
    ("Tarmac Trading Ltd", "highways", False, False, False),
    ("Colas Ltd", "highways", False, False, False),
    ("Aggregate Industries UK Ltd", "highways", False, False, False),
    ("Siemens Mobility Ltd", "lighting", False, False, False),
    ("Biffa Waste Services Ltd", "waste", False, False, False),
    ("Willmott Dixon Construction Ltd", "construction", False, False, False),
    ("Morgan Sindall Construction & Infrastructure Ltd", "construction", False, False, False),
    ("Galliford Try Building Ltd", "construction", False, False, False),
    ("Idverde Ltd", "countryside", False, False, False),
    ("Atkins Ltd", "professional", False, False, False),
    ("WSP UK Ltd", "professional", False, False, False),
    ("Jacobs UK Ltd", "professional", False, False, False),
    ("Mott MacDonald Ltd", "professional", False, False, False),
    ("Grant Thornton UK LLP", "finance", False, False, False),
    ("Bevan Brittan LLP", "legal", False, False, False),
    ("Browne Jacobson LLP", "legal", False, False, False),
    ("Sharpe Pritchard LLP", "legal", False, False, False),
    ("Lloyds Bank PLC", "finance", False, False, False),
    ("Allpay Ltd", "finance", False, False, False),
    ("Hays Specialist Recruitment Ltd", "recruitment", False, False, False),
    ("Reed Specialist Recruitment Ltd", "recruitment", False, False, False),
    ("Matrix SCM Ltd", "recruitment", False, False, False),
    ("Comensura Ltd", "recruitment", False, False, False),
    ("Learning Pool Ltd", "training", False, False, False),
    ("Royal Mail Group Ltd", "office", False, False, False),
    ("Newsquest Media Group Ltd", "marketing", False, False, False),
    ("EDF Energy Customers Ltd", "energy", False, False, False),
    ("British Gas Trading Ltd", "energy", False, False, False),
    ("TotalEnergies Gas & Power Ltd", "energy", False, False, False),
    ("Severn Trent Water Ltd", "energy", False, False, False),
    ("Water Plus Ltd", "energy", False, False, False),
    ("Lex Autolease Ltd", "fleet", False, False, False),
    ("Enterprise Rent-A-Car UK Ltd", "fleet", False, False, False),
    ("Dennis Eagle Ltd", "fleet", False, False, False),
    ("Bidfood Ltd", "catering", False, False, False),
    ("Brakes Bros Ltd", "catering", False, False, False),
    ("Apetito Ltd", "catering", False, False, False),
    ("Lyreco UK Ltd", "office", False, False, False),
    ("Banner Group Ltd", "office", False, False, False),
    ("XMA Ltd", "ict", False, False, False),
    ("Zurich Municipal", "insurance", False, False, False),
    ("Arthur J. Gallagher (UK) Ltd", "insurance", False, False, False),
    ("Marsh Ltd", "insurance", False, False, False),
)

LOCAL_PLACES = (
    "Worcester", "Malvern", "Malvern Hills", "Evesham", "Vale of Evesham", "Pershore",
    "Droitwich", "Droitwich Spa", "Redditch", "Bromsgrove", "Kidderminster", "Stourport",
    "Bewdley", "Tenbury", "Upton", "Wyre Forest", "Wychavon", "Severn Valley", "Teme Valley",
    "Clent Hills", "Lickey Hills", "Abberley", "Ombersley", "Hagley", "Broadway", "Inkberrow",
    "Alvechurch", "Wythall", "Hartlebury", "Fernhill Heath", "Powick", "Martley", "Catshill",
    "Astwood Bank", "Feckenham", "Bredon", "Wolverley", "Blakedown", "Cookley", "Hanley Swan",
    "Kempsey", "Hallow", "Claines", "Bransford", "Great Witley", "Worcestershire",
    "Three Counties", "Elgar", "Cathedral City", "Vale", "Witley Court", "Leigh Sinton",
)  # fmt: skip
OTHER_PLACES = (
    "Birmingham", "Midlands", "West Midlands", "Black Country", "Coventry", "Wolverhampton",
    "Solihull", "Dudley", "Gloucester", "Cheltenham", "Cotswold", "Hereford", "Marches",
    "Stratford", "Warwick", "Leamington", "Telford", "Shropshire", "Shrewsbury", "Stafford",
    "Bristol", "Severnside", "Leicester", "Nottingham", "Derby", "Mercia", "Heart of England",
    "Chiltern", "Pennine", "Wessex", "Thames Valley", "Northampton", "Oxford", "Swindon",
    "Cardiff", "Manchester", "Leeds", "Sheffield", "Anglia", "Central England",
)  # fmt: skip
SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Davies", "Evans", "Thomas", "Roberts", "Johnson",
    "Lewis", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green",
    "Hall", "Wood", "Harris", "Clarke", "Jackson", "Turner", "Hill", "Moore", "Cooper", "Ward",
    "Morris", "King", "Watson", "Harrison", "Morgan", "Baker", "Price", "Phillips", "Bennett",
    "Griffiths", "Parker", "Cook", "Shaw", "Bailey", "Richardson", "Cox", "Marshall",
    "Pritchard", "Powell", "Bishop", "Chapman", "Mason", "Webb", "Rogers", "Holmes", "Mills",
    "Owen", "Lloyd", "Hammond", "Fletcher", "Porter", "Hopkins", "Perkins", "Whitehouse",
    "Bradley", "Tolley", "Perrins", "Dyson", "Oakley", "Pardoe", "Yarnold", "Bayliss",
    "Brettell", "Hemming", "Sanders", "Gwilliam", "Tandy", "Attwood", "Wilkes", "Nash",
    "Bourne", "Cotterill", "Rowley", "Dipple", "Hodges", "Lench", "Woodward", "Preece",
    "Gardner", "Moss", "Patel", "Khan", "Singh", "Ahmed", "Kaur", "Hussain", "Sharma",
    "Kowalski", "Nowak", "Mahmood", "O'Brien", "Doyle", "Fraser", "Campbell", "Stewart",
)  # fmt: skip
BRAND_WORDS = (
    "Premier", "Acorn", "Oakwood", "Beacon", "Apex", "Evergreen", "Horizon", "Kingfisher",
    "Meadow", "Phoenix", "Sterling", "Willow", "Summit", "Bluebell", "Riverside", "Greenway",
    "Castle", "Cathedral", "Orchard", "Hopfield", "Pear Tree", "Hillside", "Brookside", "Elm",
    "Ashdown", "Heritage", "Compass", "Keystone", "Cornerstone", "Lighthouse", "Pathway",
    "Swan", "Heron", "Foxglove", "Lavender", "Primrose", "Bramble", "Damson", "Hawthorn",
)  # fmt: skip
VCSE_FORMS = (
    "{place} Community Trust", "{place} Community Transport", "{place} Youth Trust",
    "{place} Carers Network", "{place} Food Bank", "Citizens Advice {place}", "Age UK {place}",
    "{place} Mind", "{place} Family Support", "{place} Community Care CIC",
    "{place} Housing Trust", "{place} Arts Partnership", "{place} Volunteer Centre",
    "{place} Women's Aid", "{place} Rural Action", "{place} Young Carers",
    "{place} Sports Foundation", "{place} Men's Sheds", "{place} Scrapstore CIC",
    "Home-Start {place}", "{place} Wellbeing CIC", "{place} Befriending Scheme",
)  # fmt: skip
LOCAL_OUTWARD = tuple(f"WR{n}" for n in range(1, 16)) + (
    "B60", "B61", "B96", "B97", "B98", "DY10", "DY11", "DY12", "DY13", "DY14",
)  # fmt: skip
OTHER_OUTWARD = (
    "B1", "B5", "B15", "B24", "B37", "B90", "CV1", "CV3", "CV34", "CV37", "GL1", "GL2",
    "GL50", "HR1", "HR2", "HR4", "WV1", "WV10", "DY1", "DY5", "DY8", "TF3", "SY1", "BS1",
    "BS16", "NG1", "LE1", "DE1", "ST4", "M1", "M2", "LS1", "EC2A", "EC4M", "SW1P", "SE1",
    "RG1", "MK9", "OX4", "SN1", "NN4", "CF10",
)  # fmt: skip
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
DISTRICTS = ("Bromsgrove", "Malvern Hills", "Redditch", "Worcester City", "Wychavon", "Wyre Forest")
DEPARTMENTS = {
    SubTeam.PEOPLE: ("People Directorate", "Worcestershire Children First", "Public Health"),
    SubTeam.PLACE: ("Economy and Infrastructure", "Highways and Transport"),
    SubTeam.CORPORATE: ("Commercial and Change", "Chief Executive's", "Finance"),
    SubTeam.OPERATIONS: ("Property Services", "Commercial and Change"),
}
OFFICERS = (
    ("Priya", "Sharma"), ("James", "Whitehouse"), ("Sarah", "Tandy"), ("Mohammed", "Hussain"),
    ("Claire", "Bayliss"), ("Tom", "Pritchard"), ("Rebecca", "Yarnold"), ("Daniel", "Okafor"),
    ("Helen", "Gwilliam"), ("Gareth", "Lloyd"), ("Aisha", "Begum"), ("Richard", "Perrins"),
)  # fmt: skip
REDACTED_TYPES = (
    ("Adult Services", "Direct Payments"),
    ("Adult Services", "Personal Budgets"),
    ("Children's Services", "Foster Carer Allowances"),
    ("Children's Services", "Special Guardianship Allowances"),
)
SIZE_MIX = (  # share of non-national suppliers by count, and the value each size tends to carry
    (Supplier.Size.MICRO, 0.47, 1.0),
    (Supplier.Size.SMALL, 0.31, 5.0),
    (Supplier.Size.MEDIUM, 0.13, 40.0),
    (Supplier.Size.LARGE, 0.04, 300.0),
    (Supplier.Size.UNKNOWN, 0.05, 1.5),
)
ROUTES = (
    (Route.OPEN, 30), (Route.FRAMEWORK, 25), (Route.QUOTATION, 14), (Route.RESTRICTED, 8),
    (Route.DPS, 7), (Route.DIRECT, 5), (Route.LIGHT_TOUCH, 6), (Route.COMPETITIVE, 3),
    (Route.DIALOGUE, 1), (Route.OTHER, 1),
)  # fmt: skip
VARIATION_REASONS = (
    "Extension under the contract's option to extend, approved at procurement board.",
    "Additional scope: extra sites added at the service's request.",
    "Annual price review: inflation uplift in line with the contract.",
    "Reduced volumes after the service was redesigned.",
    "Change of delivery location following an office move.",
    "Extension to allow time for the re-procurement to complete.",
)
SAVING_REASONS = (
    "Competitive tender came in under the budgeted price",
    "Renegotiated rates at extension",
    "Demand management: fewer placements commissioned",
    "Inflation uplift capped below the index",
    "Consolidated spend through a national framework",
    "Social value delivered at no extra cost",
    "Invoice checking recovered overpayments",
)
EVIDENCE = (
    "Contract register audit, {year}.",
    "Procurement board minutes, {year}.",
    "Annual procurement report to Cabinet, {year}.",
    "Internal audit review of contract management, {year}.",
    "Commercial skills training records, {year}.",
    "Social value outcomes report, {year}.",
    "Supplier engagement event feedback, {year}.",
)


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    message: str
    suppliers: int = 0
    contracts: int = 0
    spend_lines: int = 0
    total_spend: Decimal = Decimal("0")
    on_contract_share: float = 0.0
    seconds: float = 0.0


def demo_data_checksum(*, seed: int, scale: float) -> str:
    return hashlib.sha256(f"{DEMO_FILENAME} seed={seed} scale={scale:g}".encode()).hexdigest()


def demo_data_generate(
    *,
    scale: float = 1.0,
    seed: int = 2022,
    replace: bool = False,
    today: dt.date | None = None,
    log: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Generate demo data, or do nothing if this seed and scale are already loaded."""
    if scale <= 0:
        raise ValueError("scale must be more than 0")
    started = time.perf_counter()
    sha = demo_data_checksum(seed=seed, scale=scale)
    existing = SpendImport.objects.filter(filename=DEMO_FILENAME)
    if existing.filter(sha256=sha).exists() and not replace:
        return DemoSummary(
            False, f"Demo data for seed {seed} at scale {scale:g} is already loaded."
        )
    if existing.exists() and not replace:
        return DemoSummary(
            False, "Other demo data is loaded: run again with --replace to swap it for this one."
        )
    log = log or _quiet
    with transaction.atomic():
        if replace:
            removed = demo_data_delete()
            log(f"Removed earlier demo data: {removed}")
        generator = _Generator(seed=seed, scale=scale, today=today or timezone.localdate(), log=log)
        summary = generator.run(sha=sha)
    return DemoSummary(True, "Demo data generated.", **summary, seconds=_since(started))


def demo_data_delete() -> dict[str, int]:
    """Remove what the generator made (see the module docstring); returns counts by model."""
    removed: dict[str, int] = {}
    imports = SpendImport.objects.filter(filename=DEMO_FILENAME)
    removed["spend lines"] = SpendTransaction.objects.filter(spend_import__in=imports).count()
    imports.delete()
    # Demo rows that real records have since been attached to stay: removing them would lose
    # that data.
    in_use = {
        Contract: (Variation.objects.values("contract_id"), Saving.objects.values("contract_id")),
        Supplier: (
            Contract.objects.values("supplier_id"),
            SpendTransaction.objects.filter(supplier__isnull=False).values("supplier_id"),
        ),
    }
    # The history of a wiped row goes too, so no "deleted" record is written for each one.
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        for model in (Saving, Variation, PipelineItem, Contract, Supplier):
            ids = _demo_ids(model)
            deletable = model.objects.filter(pk__in=ids)
            for used in in_use.get(model, ()):
                deletable = deletable.exclude(pk__in=used)
            _, by_model = deletable.delete()
            removed[str(model._meta.verbose_name_plural)] = by_model.get(model._meta.label, 0)
            model.history.filter(id__in=ids).exclude(id__in=model.objects.values("pk")).delete()
    return removed


def _quiet(message: str) -> None:
    pass


def _demo_ids(model: Any) -> Any:
    return model.history.filter(history_type="+", history_change_reason=DEMO_REASON).values("id")


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 2)


def _quota(rng: random.Random, n: int, shares: Sequence[tuple[Any, float]]) -> list[Any]:
    """n labels in the given shares, shuffled: exact counts, even at tiny scales."""
    labels: list[Any] = []
    for label, share in shares:
        labels += [label] * round(n * share)
    labels = labels[:n] + [shares[0][0]] * (n - len(labels))
    rng.shuffle(labels)
    return labels


def _weekday(day: int, lo: int, hi: int) -> int:
    """Move a weekend day (as an ordinal) to the Friday before or the Monday after, in range."""
    weekday = dt.date.fromordinal(day).weekday()
    if weekday < 5:
        return day
    if day - (weekday - 4) >= lo:
        return day - (weekday - 4)
    return min(day + 7 - weekday, hi)


def _money(pence: int) -> Decimal:
    return Decimal(pence).scaleb(-2)


@dataclass
class _Supplier:
    name: str
    category: str
    size: str
    vcse: bool
    local: bool
    strategic: bool = False
    national: bool = False
    weight: float = 0.0
    pk: int = 0


@dataclass
class _Contract:
    supplier: int  # index into the supplier list
    kind: str
    start: dt.date
    end: dt.date
    status: str
    pk: int = 0


def demo_supplier_names(*, count: int, seed: int = 2022) -> list[tuple[str, str]]:
    """(name, category key) for `count` suppliers: the names the generator would use."""
    return [
        (row.name, row.category)
        for row in _supplier_rows(random.Random(f"{seed}:suppliers"), count)
    ]


def _supplier_rows(rng: random.Random, n: int) -> list[_Supplier]:
    """n suppliers' names, categories, sizes and flags: 12% VCSE, 40% local, most small."""
    nationals = NATIONALS[: min(len(NATIONALS), max(1, round(n * 0.035)))]
    others = n - len(nationals)
    sizes = _quota(rng, others, [(size, share) for size, share, _ in SIZE_MIX])
    local = _quota(rng, others, [(True, 0.40 * n / max(1, others)), (False, 1.0)])
    vcse_count = max(1, round(n * 0.12)) - sum(vcse for *_, vcse, _ in nationals)
    vcse = _quota(rng, others, [(True, vcse_count / max(1, others)), (False, 1.0)])
    keys = list(CATEGORIES)
    weights = [CATEGORIES[key].weight for key in keys]
    used = {normalise_name(name) for name, *_ in nationals}
    rows = [
        _Supplier(name, key, Supplier.Size.LARGE, is_vcse, is_local, strategic, national=True)
        for name, key, strategic, is_vcse, is_local in nationals
    ]
    for index in range(others):
        size = sizes[index]
        if vcse[index] and size in (Supplier.Size.LARGE, Supplier.Size.UNKNOWN):
            size = Supplier.Size.SMALL
        row = _Supplier("", rng.choices(keys, weights)[0], size, vcse[index], local[index])
        row.name = _supplier_name(rng, row, used)
        rows.append(row)
    return rows


def _supplier_name(rng: random.Random, row: _Supplier, used: set[str]) -> str:
    trades = CATEGORIES[row.category].trades
    places = LOCAL_PLACES if row.local else OTHER_PLACES
    for attempt in range(30):
        place, trade, surname = rng.choice(places), rng.choice(trades), rng.choice(SURNAMES)
        suffix = "Ltd" if rng.random() < 0.58 else "Limited"
        if row.vcse:
            name = rng.choice(VCSE_FORMS).format(place=place)
        elif row.size == Supplier.Size.MICRO and rng.random() < 0.15:
            name = f"{rng.choice('ABCDEGHJKLMPRST')} {surname} {trade}"  # a sole trader
        else:
            pattern = rng.random()
            if row.category in ("legal", "finance", "professional") and pattern < 0.5:
                partner = rng.choice(SURNAMES)
                name = f"{surname} & {partner} {'LLP' if pattern < 0.3 else trade}"
            elif pattern < 0.45:
                name = f"{place} {trade} {suffix}"
            elif pattern < 0.75:
                name = f"{surname} {trade} {suffix}"
            elif pattern < 0.82:
                name = f"{surname} & Sons {suffix}"
            else:
                name = f"{rng.choice(BRAND_WORDS)} {trade} {suffix}"
        if attempt > 20:
            name = f"{name} ({rng.choice(places)})"
        key = normalise_name(name)
        if key not in used:
            used.add(key)
            return name
    raise RuntimeError("Could not find an unused supplier name")  # pragma: no cover


def _supplier_object(rng: random.Random, row: _Supplier) -> Supplier:
    outward = rng.choice(LOCAL_OUTWARD if row.local else OTHER_OUTWARD)
    inward = f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    company = charity = ""
    is_company = row.name.endswith(("Ltd", "Limited", "PLC", "LLP", "CIC"))
    if row.vcse and not row.name.endswith("CIC"):
        charity = str(
            rng.randint(1_000_000, 1_210_000)
            if rng.random() < 0.8
            else rng.randint(500_000, 529_999)
        )  # noqa: E501
        is_company = rng.random() < 0.5  # a charitable company has both numbers
    if is_company:
        prefix = "OC" if row.name.endswith("LLP") else ""
        digits = 6 if prefix else 8
        company = f"{prefix}{rng.randint(1_000, 16_000_000 if not prefix else 450_000):0{digits}d}"  # noqa: E501
    return Supplier(
        name=row.name,
        normalised_name=normalise_name(row.name),
        company_number=company,
        charity_number=charity,
        postcode=f"{outward} {inward}",
        size=row.size,
        is_vcse=row.vcse,
        is_local=row.local,
        is_strategic=row.strategic,
        financial_risk=rng.choices(
            [Risk.LOW, Risk.MEDIUM, Risk.HIGH, Risk.UNKNOWN], [55, 20, 5, 20]
        )[0],
    )


class _Generator:
    def __init__(
        self, *, seed: int, scale: float, today: dt.date, log: Callable[[str], None]
    ) -> None:
        self.seed, self.scale, self.today, self.log = seed, scale, today, log
        self.counts = {key: max(1, round(value * scale)) for key, value in PER_SCALE.items()}
        self.window = (
            dt.date(FIRST_YEAR, 4, 1).toordinal(),
            dt.date(FIRST_YEAR + YEARS, 3, 31).toordinal(),
        )

    def rng(self, stage: str) -> random.Random:
        return random.Random(f"{self.seed}:{stage}")

    def run(self, *, sha: str) -> dict[str, Any]:
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("officers and categories", self.reference_data),
            ("suppliers", self.suppliers_create),
            ("contracts and variations", self.contracts_create),
            ("spend", lambda: self.spend_create(sha=sha)),
            ("spend summary for the dashboard", spend_summary_rebuild),
            ("savings and pipeline", self.plans_create),
            ("maturity assessments", self.maturity_assess),
        ]
        for name, step in steps:
            started = time.perf_counter()
            step()
            self.log(f"  {name}: {_since(started)} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Supplier, Contract, SpendTransaction):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        return {
            "suppliers": len(self.suppliers),
            "contracts": len(self.contracts),
            "spend_lines": self.spend_lines,
            "total_spend": _money(self.total_pence),
            "on_contract_share": round(self.on_contract_pence / max(1, self.positive_pence), 3),
        }

    # -- reference data ----------------------------------------------------------------------

    def reference_data(self) -> None:
        user_model = get_user_model()
        group = Group.objects.get(name=roles.OFFICERS)
        self.officers: list[AbstractBaseUser] = []
        for number, (first, last) in enumerate(OFFICERS, start=1):
            username = f"officer{number:02d}"
            user = user_model.objects.filter(username=username).first()
            if user is None:
                user = user_model(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{first}.{last}@{OFFICER_DOMAIN}".lower(),
                )
                user.set_unusable_password()
                user.save()
            user.groups.add(group)
            self.officers.append(user)
        self.categories: dict[str, Category] = {}
        for key, profile in CATEGORIES.items():
            self.categories[key], _ = Category.objects.get_or_create(
                name=profile.name, defaults={"sub_team": profile.sub_team}
            )

    # -- suppliers ---------------------------------------------------------------------------

    def suppliers_create(self) -> None:
        rng = self.rng("suppliers")
        n = self.counts["suppliers"]
        self.suppliers = _supplier_rows(rng, n)
        objects = [_supplier_object(rng, row) for row in self.suppliers]
        # Value: national firms carry most, then by size, with noise; weight by rank (Pareto-like).
        value_of = {size: value for size, _, value in SIZE_MIX}
        scores = [
            (3000.0 if row.national else value_of[row.size])
            * (2.5 if row.local else 1.0)  # the council buys locally where it can
            * rng.lognormvariate(0, 1.2)
            for row in self.suppliers
        ]
        ranked = sorted(range(n), key=lambda index: -scores[index])
        exponent = _zipf_exponent(n, TOP_SHARE)
        for rank, index in enumerate(ranked, start=1):
            self.suppliers[index].weight = rank**-exponent
        for index in ranked[: max(1, n // 100)]:
            objects[index].is_strategic = True
        self.by_value = ranked
        created = bulk_create_with_history(
            objects, Supplier, batch_size=BATCH, default_change_reason=DEMO_REASON
        )
        for row, obj in zip(self.suppliers, created, strict=True):
            row.pk = obj.pk

    # -- contracts and variations ------------------------------------------------------------

    def contracts_create(self) -> None:
        rng = self.rng("contracts")
        n, today = self.counts["contracts"], self.today
        kinds = _quota(
            rng,
            n,
            [
                ("covering", 0.30),
                ("ending_soon", 0.15),
                ("expired_live", 0.03),
                ("draft", 0.03),
                ("terminated", 0.01),
                ("old", 0.16),
                ("mid", 0.22),
                ("recent", 0.10),
            ],
        )
        if "ending_soon" not in kinds:
            kinds[0] = "ending_soon"
        # The most valuable suppliers each hold a contract; the rest go by value, with repeats.
        anchors = min(n, max(1, round(len(self.suppliers) * 0.10)))
        holders = self.by_value[:anchors]
        weights = [row.weight**0.5 for row in self.suppliers]
        holders += rng.choices(range(len(self.suppliers)), weights, k=n - len(holders))
        owners = _quota(rng, n, [(True, 0.95), (False, 1.0)])
        self.contracts: list[_Contract] = []
        objects: list[Contract] = []
        for index in range(n):
            supplier = self.suppliers[holders[index]]
            kind = kinds[index]
            if index < anchors and kind in ("draft", "old", "recent"):
                kind = "covering"
            start, end = self._contract_dates(rng, kind)
            status = Contract.Status.LIVE
            if kind == "draft" or start > today:
                status = Contract.Status.DRAFT
            elif kind == "terminated":
                status = Contract.Status.TERMINATED
            elif end < today and kind != "expired_live":
                status = Contract.Status.EXPIRED
            self.contracts.append(_Contract(holders[index], kind, start, end, status))
            objects.append(self._contract_row(rng, supplier, start, end, status, owners[index]))
        self._references(objects)
        created = bulk_create_with_history(
            objects, Contract, batch_size=BATCH, default_change_reason=DEMO_REASON
        )
        for row, obj in zip(self.contracts, created, strict=True):
            row.pk = obj.pk
        self.contract_objects = created
        self._variations(rng)

    def _contract_dates(self, rng: random.Random, kind: str) -> tuple[dt.date, dt.date]:
        def day(first: dt.date, last: dt.date) -> dt.date:
            return dt.date.fromordinal(rng.randint(first.toordinal(), max(first, last).toordinal()))

        def years(low: int, high: int) -> dt.timedelta:
            return dt.timedelta(days=365 * rng.randint(low, high) - 1)

        today, spend_end = self.today, dt.date(FIRST_YEAR + YEARS, 3, 31)
        if kind == "ending_soon":
            end = today + dt.timedelta(days=rng.randint(14, 364))
            return day(dt.date(2019, 4, 1), min(end, dt.date(2024, 4, 1))), end
        if kind == "expired_live":
            end = today - dt.timedelta(days=rng.randint(7, 300))
            return day(dt.date(2018, 4, 1), min(end, dt.date(2023, 4, 1))), end
        if kind == "draft":
            start = today + dt.timedelta(days=rng.randint(30, 240))
            return start, start + years(2, 5)
        if kind == "covering":
            start = day(dt.date(2017, 4, 1), dt.date(2022, 4, 1))
            return start, max(start + years(3, 10), spend_end + years(0, 3))
        if kind == "old":
            start = day(dt.date(2016, 4, 1), dt.date(2021, 4, 1))
            return start, start + years(1, 4)
        if kind == "recent":
            start = day(spend_end, today - dt.timedelta(days=30))
            return start, start + years(2, 5)
        start = day(dt.date(FIRST_YEAR, 4, 1), dt.date(FIRST_YEAR + YEARS - 1, 12, 1))
        end = start + years(1, 5)
        if kind == "terminated":
            end = day(start + dt.timedelta(days=90), min(end, today))
        return start, end

    def _contract_row(
        self,
        rng: random.Random,
        supplier: _Supplier,
        start: dt.date,
        end: dt.date,
        status: str,
        owned: bool,
    ) -> Contract:
        key = supplier.category if rng.random() < 0.92 else rng.choice(list(CATEGORIES))
        profile = CATEGORIES[key]
        title = rng.choice(profile.titles).format(
            district=rng.choice(DISTRICTS), lot=rng.randint(1, 6)
        )
        size_factor = {"large": 5.0, "medium": 1.5, "micro": 0.25}.get(supplier.size, 0.6)
        total = min(
            50_000_000, max(5_000, rng.lognormvariate(math.log(120_000), 1.4) * size_factor)
        )
        total = round(total, 2 if total < 100_000 else 0)
        years = max(1, round((end - start).days / 365))
        big = total > 100_000
        weighting = None
        if big and rng.random() < 0.85:
            weighting = rng.choice((10, 10, 10, 12.5, 15, 15, 20, 20, 5))
        elif not big and rng.random() < 0.35:
            weighting = rng.choice((0, 5, 10))
        route = rng.choices([route for route, _ in ROUTES], [weight for _, weight in ROUTES])[0]
        if key in CARE and rng.random() < 0.5:
            route = Route.LIGHT_TOUCH
        elif total < 25_000:
            route = Route.QUOTATION
        elif route == Route.QUOTATION:
            route = Route.OPEN
        return Contract(
            reference="",
            title=title,
            description=f"{profile.name}: {title.lower()}.",
            supplier_id=supplier.pk,
            category=self.categories[key],
            owner=rng.choice(self.officers) if owned else None,
            department=rng.choice(DEPARTMENTS[profile.sub_team]),
            route=route,
            start_date=start,
            end_date=end,
            review_date=end - dt.timedelta(days=270) if rng.random() < 0.6 else None,
            extension_options=rng.choice(
                ("", "", "1 × 12 months", "2 × 12 months", "1 × 24 months")
            ),  # noqa: E501
            total_value=Decimal(str(total)),
            annual_value=_money(round(total * 100 / years)),
            status=status,
            social_value_weighting=None if weighting is None else Decimal(str(weighting)),
            risk_rating=rng.choices(
                [Risk.LOW, Risk.MEDIUM, Risk.HIGH, Risk.UNKNOWN], [50, 30, 10, 10]
            )[0],  # noqa: E501
            modern_slavery_risk=rng.choices(
                [Risk.LOW, Risk.MEDIUM, Risk.HIGH, Risk.UNKNOWN],
                [25, 40, 20, 15] if key in SLAVERY_RISK else [60, 15, 3, 22],
            )[0],
            processes_personal_data=key in PERSONAL_DATA or rng.random() < 0.1,
            carbon_commitment=rng.random() < (0.7 if key in CARBON else 0.25),
        )

    def _references(self, objects: list[Contract]) -> None:
        """WCC-<year it started>-<number>, numbered in start order within each year."""
        order = sorted(range(len(objects)), key=lambda i: (objects[i].start_date, i))
        numbers: dict[int, int] = {}
        width = max(4, len(str(len(objects))))
        for index in order:
            year = objects[index].start_date.year
            numbers[year] = numbers.get(year, 0) + 1
            objects[index].reference = f"WCC-{year}-{numbers[year]:0{width}d}"

    def _variations(self, rng: random.Random) -> None:
        candidates = [
            index
            for index, row in enumerate(self.contracts)
            if row.status != Contract.Status.DRAFT and row.start < self.today
        ]
        chosen = rng.sample(candidates, min(len(candidates), round(len(self.contracts) * 0.10)))
        objects = []
        for index in sorted(chosen):
            row, contract = self.contracts[index], self.contract_objects[index]
            reason = rng.choice(VARIATION_REASONS)
            extends = reason.startswith("Extension") and (row.end - row.start).days > 500
            latest = min(row.end - dt.timedelta(days=365) if extends else row.end, self.today)
            varied_on = dt.date.fromordinal(
                rng.randint(row.start.toordinal(), max(row.start, latest).toordinal())
            )
            change = Decimal(contract.total_value) * Decimal(str(rng.uniform(-0.05, 0.25)))
            objects.append(
                Variation(
                    contract_id=row.pk,
                    varied_on=varied_on,
                    reason=reason,
                    value_change=change.quantize(Decimal("1")),
                    new_end_date=row.end if extends else None,
                    approved_by=rng.choice(
                        (
                            "Head of Commercial",
                            "Strategic Director of People",
                            "Director of Economy and Infrastructure",
                            "Procurement Board",
                        )
                    ),
                    recorded_by=contract.owner or rng.choice(self.officers),
                )
            )
        bulk_create_with_history(
            objects, Variation, batch_size=BATCH, default_change_reason=DEMO_REASON
        )

    # -- spend -------------------------------------------------------------------------------

    def spend_create(self, *, sha: str) -> None:
        rng = self.rng("spend")
        lines = self._spend_lines(rng)
        lines.sort()
        self.spend_lines = len(lines)
        self.total_pence = sum(line[2] for line in lines)
        spend_import = SpendImport.objects.create(
            filename=DEMO_FILENAME,
            sha256=sha,
            rows_imported=len(lines),
            total_amount=_money(self.total_pence),
            first_paid_on=dt.date.fromordinal(lines[0][0]),
            last_paid_on=dt.date.fromordinal(lines[-1][0]),
        )
        covering = self._covering()
        self.on_contract_pence = self.positive_pence = 0

        def rows():
            for number, (day, supplier, pence, area, expense_type) in enumerate(lines):
                contract = None
                if supplier >= 0:
                    for start, end, pk in covering.get(supplier, ()):
                        if start <= day <= end:
                            contract = pk
                            break
                if pence > 0:
                    self.positive_pence += pence
                    if contract is not None:
                        self.on_contract_pence += pence
                row = self.suppliers[supplier] if supplier >= 0 else None
                yield (
                    spend_import.pk,
                    number + 2,  # line 1 of the published file is its header
                    dt.date.fromordinal(day),
                    row.pk if row else None,
                    row.name if row else SpendTransaction.REDACTED,
                    _pounds(pence),
                    area,
                    expense_type,
                    f"{5_100_000_000 + number}",
                    contract,
                )

        if connection.vendor == "postgresql":
            _copy_spend(rows())
        else:
            _insert_spend(rows())

    def _covering(self) -> dict[int, list[tuple[int, int, int]]]:
        """Per supplier, its matchable contracts in the order the matcher prefers them."""
        covering: dict[int, list[tuple[int, int, int]]] = {}
        for row in self.contracts:
            if row.status != Contract.Status.DRAFT:
                covering.setdefault(row.supplier, []).append(
                    (row.start.toordinal(), row.end.toordinal(), row.pk)
                )
        for options in covering.values():
            options.sort(key=lambda option: (option[0], option[2]), reverse=True)
        return covering

    def _spend_lines(self, rng: random.Random) -> list[tuple[int, int, int, str, str]]:
        """(day, supplier index or -1 for redacted, pence, expense area, expense type) rows."""
        total_lines = self.counts["lines"]
        redacted = round(total_lines * 0.02)
        credits = round(total_lines * 0.01)
        duplicates = max(2, round(10 * self.scale))
        splits = max(1, round(5 * self.scale))
        regular = max(1, total_lines - redacted - credits - duplicates - 3 * splits)
        lo, hi = self.window
        windows: dict[int, list[tuple[int, int]]] = {}
        for row in self.contracts:
            start, end = max(lo, row.start.toordinal()), min(hi, row.end.toordinal())
            if row.status != Contract.Status.DRAFT and start <= end:
                windows.setdefault(row.supplier, []).append((start, end))
        n = len(self.suppliers)
        line_weights = [row.weight**0.45 for row in self.suppliers]
        picked = rng.choices(range(n), line_weights, k=regular)
        per_supplier = [0] * n
        for index in picked:
            per_supplier[index] += 1
        total_weight = sum(row.weight for row in self.suppliers)
        pounds = ANNUAL_SPEND * self.scale * YEARS
        mean_pence = [
            pounds * 100 * row.weight / total_weight / max(1, per_supplier[index])
            for index, row in enumerate(self.suppliers)
        ]

        def describe(index: int) -> tuple[str, str]:
            profile = CATEGORIES[self.suppliers[index].category]
            return rng.choice(profile.areas), rng.choice(profile.types)

        def day_for(index: int) -> int:
            options = windows.get(index)
            if options and rng.random() < ON_CONTRACT:
                start, end = rng.choice(options)
            else:
                start, end = lo, hi
            return _weekday(rng.randint(start, end), start, end)

        lines = []
        for index in picked:
            pence = round(mean_pence[index] * rng.lognormvariate(-0.125, 0.5))
            if pence <= 50_000:
                pence = rng.randint(50_001, 250_000)
            lines.append((day_for(index), index, pence, *describe(index)))
        for _ in range(redacted):
            area, expense_type = rng.choice(REDACTED_TYPES)
            day = _weekday(rng.randint(lo, hi), lo, hi)
            lines.append((day, -1, rng.randint(50_001, 350_000), area, expense_type))
        for index in rng.choices(range(n), line_weights, k=credits):
            pence = -max(1_000, round(mean_pence[index] * rng.uniform(0.02, 0.5)))
            lines.append((day_for(index), index, pence, *describe(index)))
        # Planted for the checks: the same payment made twice, and an order split into three
        # payments just under the £5,000 quotation threshold within a week.
        for day, index, pence, area, expense_type in rng.sample(
            lines[:regular], min(regular, duplicates)
        ):
            later = _weekday(min(hi, day + rng.choice((0, 0, 1, 2))), lo, hi)
            lines.append((later, index, pence, area, expense_type))
        small = [i for i, row in enumerate(self.suppliers) if row.size in ("micro", "small")]
        for _ in range(splits):
            index = rng.choice(small or range(n))
            day = _weekday(rng.randint(lo, hi - 7), lo, hi)
            area, expense_type = describe(index)
            for offset in (0, 1, 3):
                paid = _weekday(day + offset, lo, hi)
                lines.append((paid, index, rng.randint(480_000, 499_900), area, expense_type))
        return lines

    # -- savings, pipeline and maturity ------------------------------------------------------

    def plans_create(self) -> None:
        rng = self.rng("plans")
        live = [i for i, row in enumerate(self.contracts) if row.status != Contract.Status.DRAFT]
        values = [float(self.contract_objects[i].annual_value) for i in live]
        savings = []
        for _ in range(self.counts["savings"]):
            index = rng.choices(live, values)[0] if live and rng.random() < 0.9 else None
            contract = self.contract_objects[index] if index is not None else None
            year = rng.randint(FIRST_YEAR, FIRST_YEAR + YEARS - 1)
            if contract is not None:  # a saving cannot come before its contract started
                year = min(max(year, financial_year_of(contract.start_date)), FIRST_YEAR + YEARS)
            base = float(contract.annual_value) if contract else rng.uniform(20_000, 400_000)
            savings.append(
                Saving(
                    contract=contract,
                    financial_year=year,
                    kind=Saving.Kind.CASHABLE if rng.random() < 0.65 else Saving.Kind.NON_CASHABLE,
                    amount=Decimal(max(500, round(base * rng.uniform(0.01, 0.08), -1))),
                    description=rng.choice(SAVING_REASONS),
                    recorded_by=rng.choice(self.officers),
                )
            )
        bulk_create_with_history(
            savings, Saving, batch_size=BATCH, default_change_reason=DEMO_REASON
        )
        soon = [i for i, row in enumerate(self.contracts) if row.kind == "ending_soon"]
        items = []
        for number in range(self.counts["pipeline"]):
            replaces = rng.choice(soon) if soon and number % 2 == 0 else None
            contract = self.contract_objects[replaces] if replaces is not None else None
            key = rng.choice(list(CATEGORIES))
            start = self.today + dt.timedelta(days=rng.randint(-60, 540))
            status = PipelineItem.Status.PLANNED if start > self.today else "in_progress"
            status = rng.choices([status, "awarded", "cancelled"], [85, 10, 5])[0]
            value = (
                float(contract.total_value) * rng.uniform(0.9, 1.3)
                if contract
                else rng.lognormvariate(math.log(300_000), 1.2)
            )
            items.append(
                PipelineItem(
                    title=f"Re-procurement: {contract.title}"
                    if contract
                    else rng.choice(CATEGORIES[key].titles).format(
                        district=rng.choice(DISTRICTS), lot=rng.randint(1, 6)
                    ),
                    category=contract.category if contract else self.categories[key],
                    estimated_value=Decimal(round(value, -2)),
                    planned_start=start,
                    route=rng.choice((Route.OPEN, Route.FRAMEWORK, Route.RESTRICTED, Route.DPS)),
                    status=status,
                    owner=(contract.owner if contract else None) or rng.choice(self.officers),
                    replaces=contract,
                    notes=f"From the annual procurement plan {DEMO_MARK}.",
                )
            )
        bulk_create_with_history(
            items, PipelineItem, batch_size=BATCH, default_change_reason=DEMO_REASON
        )

    def maturity_assess(self) -> None:
        from maturity import selectors, services
        from maturity.models import Assessment

        framework = selectors.framework_current()
        if framework is None or Assessment.objects.filter(commentary__contains=DEMO_MARK).exists():
            return
        rng = self.rng("maturity")
        positions = list(selectors.indicator_positions(framework=framework).order_by("pk"))
        chosen = rng.sample(positions, min(15, len(positions)))
        for number, indicator in enumerate(chosen):
            level = indicator.current_level or 1
            target = indicator.target_level or min(5, level + 1)
            officer = self.officers[number % len(self.officers)]
            for year in (2023, 2024):
                if level < min(5, target) and rng.random() < (0.6 if year == 2023 else 0.7):
                    level += 1
                assessed_on = dt.date(year, 10, 31)
                if assessed_on > self.today:
                    continue
                services.assessment_record(
                    indicator=indicator,
                    level=level,
                    assessed_on=assessed_on,
                    assessor=officer,
                    evidence=rng.choice(EVIDENCE).format(year=year),
                    commentary=f"Annual self-assessment review {DEMO_MARK}.",
                )
            if number < 4 and target < 5:
                reached = level >= target
                services.target_set(
                    indicator=indicator,
                    level=target + 1 if reached else target,
                    due_by=dt.date(2027, 3, 31),
                    set_by=officer,
                    rationale=(
                        "Target reached early, so raised for the next strategy"
                        if reached
                        else "Due date moved to the end of the next strategy after the 2024 review"
                    )
                    + f" {DEMO_MARK}.",
                    replaces_target_id=selectors.latest_target_id(indicator=indicator),
                )


def _zipf_exponent(n: int, top_share: float) -> float:
    """The exponent s for which weights 1/rank**s give the top 5% of n about `top_share`."""
    top = max(1, round(n * 0.05))
    low, high = 0.0, 4.0
    for _ in range(40):
        s = (low + high) / 2
        weights = [rank**-s for rank in range(1, n + 1)]
        if sum(weights[:top]) / sum(weights) < top_share:
            low = s
        else:
            high = s
    return (low + high) / 2


_SPEND_COLUMNS = (
    "spend_import",
    "line_number",
    "paid_on",
    "supplier",
    "supplier_name",
    "amount",
    "service_area",
    "expense_type",
    "reference",
    "contract",
)


def _pounds(pence: int) -> str:
    return f"{'-' if pence < 0 else ''}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def _spend_sql() -> tuple[str, str]:
    columns = [SpendTransaction._meta.get_field(name).column for name in _SPEND_COLUMNS]
    quote = connection.ops.quote_name
    return quote(SpendTransaction._meta.db_table), ", ".join(quote(c) for c in columns)


def _copy_spend(rows: Iterator[tuple]) -> None:
    """PostgreSQL: COPY the rows in, 100,000 at a time."""
    table, columns = _spend_sql()
    sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, 100_000)):
            buffer = io.StringIO()
            csv.writer(buffer).writerows(
                ["\\N" if value is None else value for value in row] for row in chunk
            )
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)


def _insert_spend(rows: Iterator[tuple]) -> None:
    """Other databases: one INSERT run over each batch, without a model instance per row."""
    table, columns = _spend_sql()
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(_SPEND_COLUMNS))})"
    ops = connection.ops
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, BATCH)):
            cursor.executemany(
                sql,
                [(*row[:2], ops.adapt_datefield_value(row[2]), *row[3:]) for row in chunk],
            )
