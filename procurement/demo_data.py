"""The tables the procurement demo generator draws from: categories and who sells in them,
national firms, place names, surnames, postcodes, routes and the reasons officers give.

Made up for a Worcestershire-like county council; `procurement.demo` holds the generator.
"""

from __future__ import annotations

from typing import NamedTuple

from procurement.models import Route, SubTeam, Supplier

COUNCIL = "Worcestershire County Council"


class Profile(NamedTuple):
    """A category as the generator sees it: what it is called and who sells it."""

    name: str
    sub_team: SubTeam
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
