#!/usr/bin/env python3
"""Generate the demo council's performance data (illustrative, deterministic).

Writes into demo/clackmannanshire/:
  localities.csv, indicators.csv, targets.csv, measurements.csv,
  benchmark-groups.csv, benchmark-values.csv

Stdlib only; seeded with random.Random(2026) so every run gives identical files.
Every figure is illustrative demo data, not Clackmannanshire Council's real
performance. Indicator titles follow real Local Government Benchmarking Framework
(LGBF), SPI and National Performance Framework measures where the source says so.

The data is engineered so that, on 2026-11-23 ("today"), the latest whole-area
period of the indicators shows every status (green, amber, red, no-target,
missing, overdue), at least six indicators are red in their last two periods
(escalation), and trends are a mix of improving, worsening and stable.
"""
import csv
import datetime as dt
import os
import random
from decimal import Decimal, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "clackmannanshire"))
TODAY = dt.date(2026, 11, 23)
RNG = random.Random(2026)

# ----------------------------------------------------------------------------
# Localities (illustrative population shares and relative deprivation)
# ----------------------------------------------------------------------------
LOCALITIES = [
    # code, name, population share, deprivation (+ = more deprived)
    ("ALLOA", "Alloa", 0.40, 1.0),
    ("HILLFOOTS", "Hillfoots", 0.26, -0.8),
    ("WESTERN", "Western villages", 0.08, -0.4),
    ("TULLIBODY", "Tullibody, Cambus and Glenochil", 0.17, 0.5),
    ("CLACKS-EAST", "Clackmannan and Kennet", 0.09, 0.3),
]

# ----------------------------------------------------------------------------
# Benchmarking: the 32 council areas and illustrative family groups
# ----------------------------------------------------------------------------
PEOPLE_GROUPS = {  # typology "people" (children, social work, housing): by deprivation
    "1": ["Aberdeen City", "Aberdeenshire", "City of Edinburgh", "East Dunbartonshire",
          "East Renfrewshire", "Orkney Islands", "Perth and Kinross", "Shetland Islands"],
    "2": ["Angus", "Argyll and Bute", "East Lothian", "Highland", "Midlothian", "Moray",
          "Scottish Borders", "Stirling"],
    "3": ["Clackmannanshire", "Dumfries and Galloway", "Falkirk", "Fife", "Na h-Eileanan Siar",
          "South Ayrshire", "South Lanarkshire", "West Lothian"],
    "4": ["Dundee City", "East Ayrshire", "Glasgow City", "Inverclyde", "North Ayrshire",
          "North Lanarkshire", "Renfrewshire", "West Dunbartonshire"],
}
OTHER_GROUPS = {  # typology "other" (environment, culture, corporate): by rurality
    "1": ["Aberdeen City", "City of Edinburgh", "Dundee City", "East Dunbartonshire",
          "East Renfrewshire", "Glasgow City", "North Lanarkshire", "Renfrewshire"],
    "2": ["Clackmannanshire", "Falkirk", "Inverclyde", "Midlothian", "North Ayrshire",
          "South Lanarkshire", "West Dunbartonshire", "West Lothian"],
    "3": ["Angus", "East Ayrshire", "East Lothian", "Fife", "Moray", "Perth and Kinross",
          "South Ayrshire", "Stirling"],
    "4": ["Aberdeenshire", "Argyll and Bute", "Dumfries and Galloway", "Highland",
          "Na h-Eileanan Siar", "Orkney Islands", "Scottish Borders", "Shetland Islands"],
}
AREAS = sorted(a for g in PEOPLE_GROUPS.values() for a in g)
ISLANDS = {"Na h-Eileanan Siar", "Orkney Islands", "Shetland Islands"}
OWN_AREA = "Clackmannanshire"

# ----------------------------------------------------------------------------
# Indicators
# ----------------------------------------------------------------------------
# I(code, title, tier, unit, polarity, frequency, source, services, outcomes, base,
#   definition, **options)
# base = the 2021/22 level. Options:
#   tol   tolerance text ('' = default 5%)   band  (low, high) for in-band
#   loc   reported by locality               dl    deadline_days ('' = 60)
#   typ   LGBF benchmark typology            dec   decimal places
#   step  target change per year (signed, in value units; default: 1.5% better)
#   tconst constant target                   sc    engineered latest-period scenario
#   add   locality values add up to the whole (counts and money totals)
#   need  locality split follows deprivation  nabs absolute noise
#   neg   values may be negative           tr    latest trend (else random)
#   why   missing_reason for an engineered missing or overdue latest value
SPECS = []


def I(code, title, tier, unit, pol, freq, src, svc, out, base, defn, **kw):
    SPECS.append(dict(code=code, title=title, tier=tier, unit=unit, pol=pol, freq=freq,
                      src=src, svc=svc, out=out, base=base, defn=defn, **kw))


Q, FY, AY, M, CY = "quarterly", "financial-year", "academic-year", "monthly", "calendar-year"
HB, LB, IB, DO = "higher-better", "lower-better", "in-band", "data-only"
PC, CT, MO, DY, RT, RA, SC = "percent", "count", "money", "days", "rate", "ratio", "score"

# ---- Outcome tier ----------------------------------------------------------
I("NPFI-EMP01", "Employment rate (people aged 16 to 64)", "outcome", PC, HB, CY, "NPF", "", "LO1", 70.4,
  "Percentage of Clackmannanshire residents aged 16 to 64 who are in employment, from the Annual Population Survey.")
I("ECON07", "Proportion of people earning less than the real Living Wage", "outcome", PC, LB, FY, "LGBF", "", "LO1;LO3", 17.9,
  "Percentage of employees working in the area who are paid less than the real Living Wage, from the Annual Survey of Hours and Earnings.", typ="other")
I("ECON08", "Proportion of properties receiving superfast broadband", "outcome", PC, HB, FY, "LGBF", "", "LO1", 94.1,
  "Percentage of residential and business premises able to receive broadband of at least 30 Mbit/s.", typ="other")
I("ECON11", "Gross value added (GVA) per capita", "outcome", MO, HB, FY, "LGBF", "", "LO1", 20150,
  "Gross value added by the local economy divided by the resident population, in pounds at current prices.", typ="other", dec=0)
I("PTR-CLM01", "Claimant count as % of working age population", "outcome", PC, LB, M, "partner", "", "LO1", 4.3,
  "People claiming out-of-work benefits as a percentage of residents aged 16 to 64, from the monthly DWP claimant count.", loc=True, dl="30", nabs=0.08)
I("NPFI-INC01", "Median gross weekly earnings of full-time employees (residents)", "outcome", MO, HB, FY, "NPF", "", "LO1", 598.40,
  "Median gross weekly pay of full-time employees who live in Clackmannanshire, from the Annual Survey of Hours and Earnings.", step=16.0)
I("LOC-O-POP", "Population (mid-year estimate)", "outcome", CT, DO, FY, "partner", "", "LO1;LO4", 51540,
  "Estimated resident population at 30 June of the financial year, from National Records of Scotland.", noise=0.002, tr="stable")
I("NPFI-SKL01", "% of working-age adults with low or no qualifications", "outcome", PC, LB, FY, "NPF", "", "LO1;LO3", 11.8,
  "Percentage of residents aged 16 to 64 whose highest qualification is at SCQF level 4 or below.")
I("LOC-O-AFH", "New affordable homes completed", "outcome", CT, HB, FY, "local", "", "LO1;LO4", 96,
  "Social rented and mid-market homes completed in the year through the Strategic Housing Investment Plan.", noise=0.15, tol="10%")
I("NPFI-POV01", "% of children living in relative poverty (after housing costs)", "outcome", PC, LB, FY, "NPF", "", "LO2;LO1", 25.8,
  "Percentage of children living in households with income below 60% of the UK median after housing costs, from the local child poverty estimates.", loc=True)
I("NPFI-CYP01", "% of Primary 1 children with a healthy weight", "outcome", PC, HB, FY, "NPF", "", "LO2", 72.5,
  "Percentage of children reviewed at the Primary 1 health check whose body mass index is in the healthy range.")
I("LOC-O-GAP", "Attainment gap at SCQF level 5 between the least and most deprived pupils (percentage points)", "outcome", PC, LB, FY, "local", "", "LO2;LO3", 38.5,
  "Difference in the percentage of school leavers with 5 or more awards at SCQF level 5 between pupils living in SIMD quintile 5 and quintile 1.")
I("NPFI-CYP02", "% of S2 and S4 pupils reporting good mental wellbeing", "outcome", PC, HB, FY, "NPF", "", "LO2;LO3", 58.0,
  "Percentage of S2 and S4 pupils scoring in the average or high range of the Warwick-Edinburgh Mental Wellbeing Scale in the health and wellbeing census.")
I("PTR-O-CYP", "Referrals to children's social work per 1,000 children", "outcome", RT, DO, FY, "partner", "", "LO2", 48.6,
  "Referrals received by children's social work in the year per 1,000 children aged 0 to 17.")
I("LOC-O-CEX", "% of care-experienced school leavers in a positive initial destination", "outcome", PC, HB, FY, "local", "", "LO2", 81.0,
  "Percentage of care-experienced young people leaving school who are in education, training or employment three months later.")
I("NPFI-CYP03", "% of young people who feel they have a say in decisions that affect them", "outcome", PC, HB, FY, "NPF", "", "LO2;LO4", 46.0,
  "Percentage of young people surveyed who agree that adults listen to their views on decisions that affect them.")
I("PTR-O-BRF", "% of babies exclusively breastfed at 6 to 8 weeks", "outcome", PC, HB, FY, "partner", "", "LO2", 22.4,
  "Percentage of babies reviewed by health visitors at 6 to 8 weeks who are exclusively breastfed, from Public Health Scotland.", dl="90")
I("NPFI-GPG01", "Gender pay gap (median hourly earnings, all employees)", "outcome", PC, LB, CY, "NPF", "", "LO3", 12.4,
  "Difference between men's and women's median hourly earnings excluding overtime, as a percentage of men's, for employees working in the area.")
I("LOC-O-STEM", "% of female school leavers with an SCQF level 6 award in a STEM subject", "outcome", PC, HB, AY, "local", "", "LO3", 21.5,
  "Percentage of female school leavers who gained at least one Higher or equivalent in a science, technology, engineering or mathematics subject.")
I("LOC-O-WEMP", "Female employment rate (women aged 16 to 64)", "outcome", PC, HB, FY, "partner", "", "LO3;LO1", 67.2,
  "Percentage of female residents aged 16 to 64 who are in employment, from the Annual Population Survey.")
I("PTR-O-DA", "Domestic abuse incidents recorded by the police per 10,000 population", "outcome", RT, DO, FY, "partner", "", "LO3;LO4", 131.5,
  "Domestic abuse incidents recorded by Police Scotland in the area per 10,000 residents.")
I("LOC-O-GCF", "% of S2 and S4 girls who feel confident about their future", "outcome", PC, HB, FY, "local", "", "LO3", 54.0,
  "Percentage of girls in S2 and S4 who agree they feel confident about their future in the health and wellbeing census.")
I("LOC-O-WLD", "% of senior leadership roles across Clackmannanshire Alliance partners held by women", "outcome", PC, HB, FY, "local", "", "LO3", 44.0,
  "Percentage of the top two tiers of management across community planning partners in the area who are women.", sc="notarget")
I("LOC-O-LPW", "% of lone parents in work or learning", "outcome", PC, HB, FY, "local", "", "LO3;LO1", 58.0,
  "Percentage of lone parents living in the area who are in employment, education or training.")
I("CLIM01", "CO2 emissions area-wide per capita (tonnes)", "outcome", RT, LB, FY, "LGBF", "", "LO4", 5.42,
  "Carbon dioxide emissions from all sources in the local authority area divided by the resident population, in tonnes.", typ="other", dec=2)
I("NPFI-DRD01", "Drug-related deaths per 100,000 population", "outcome", RT, LB, CY, "NPF", "", "LO4", 24.6,
  "Deaths registered in the calendar year where drugs were implicated, per 100,000 residents, from National Records of Scotland.", tol="10%")
I("NPFI-COM01", "% of adults who agree they can influence decisions affecting their local area", "outcome", PC, HB, FY, "NPF", "", "LO4", 18.5,
  "Percentage of adults in the Scottish Household Survey who agree they can influence decisions affecting their local area.", loc=True)
I("NPFI-COM02", "% of adults rating their neighbourhood as a very good place to live", "outcome", PC, HB, FY, "NPF", "", "LO4", 52.3,
  "Percentage of adults in the Scottish Household Survey who rate their neighbourhood as a very good place to live.", loc=True)
I("NPFI-HEA01", "% of adults meeting physical activity recommendations", "outcome", PC, HB, FY, "NPF", "", "LO4", 63.0,
  "Percentage of adults who report at least 150 minutes of moderate or 75 minutes of vigorous activity a week, from the Scottish Health Survey.")
I("NPFI-HEA02", "Premature mortality rate per 100,000 population (under 75)", "outcome", RT, LB, FY, "NPF", "", "LO4", 489.0,
  "European age-standardised death rate for people under 75 per 100,000 population.", dec=0)
I("PTR-O-CRM", "Crimes recorded per 10,000 population", "outcome", RT, LB, Q, "partner", "", "LO4", 118.5,
  "Crimes recorded by Police Scotland in the area in the quarter per 10,000 residents.", loc=True, tol="10%")
I("NPFI-ENV01", "% of adults visiting the outdoors at least once a week", "outcome", PC, HB, FY, "NPF", "", "LO4", 59.0,
  "Percentage of adults who report visiting the outdoors for leisure at least once a week in the Scottish Household Survey.")
I("LOC-O-VOL", "% of adults who volunteered in the last 12 months", "outcome", PC, HB, FY, "local", "", "LO4", 21.7,
  "Percentage of adults responding to the citizens' panel survey who gave unpaid help to a group or organisation in the last 12 months.", sc="overdue",
  why="Citizens' panel survey postponed; results not available")
I("NPFI-LON01", "% of adults who feel lonely some, most or all of the time", "outcome", PC, LB, FY, "NPF", "", "LO4", 22.1,
  "Percentage of adults who report feeling lonely some, most or all of the time in the previous week.")
I("PTR-O-FPV", "% of households in fuel poverty", "outcome", PC, LB, FY, "partner", "", "LO4;LO1", 26.0,
  "Percentage of households that would need to spend more than 10% of their income after housing costs on fuel, from the Scottish House Condition Survey.")
I("LOC-O-ASB", "Antisocial behaviour complaints per 10,000 population", "outcome", RT, LB, Q, "partner", "", "LO4", 88.2,
  "Antisocial behaviour complaints made to the police and the council in the quarter per 10,000 residents.", tol="10%")

# ---- Service tier ----------------------------------------------------------
# Education
I("CHN01", "Cost per primary school pupil", "service", MO, LB, FY, "LGBF", "WB-EDU-PRI", "", 5873.40,
  "Gross revenue expenditure on primary schools divided by the number of primary pupils at the September census.", typ="people", step=150.0)
I("CHN13A", "% of P1, P4 and P7 pupils achieving expected CfE level in literacy", "service", PC, HB, AY, "LGBF", "WB-EDU-PRI", "", 68.5,
  "Percentage of pupils in P1, P4 and P7 assessed by teachers as achieving the expected Curriculum for Excellence level in literacy.", typ="people")
I("CHN13B", "% of P1, P4 and P7 pupils achieving expected CfE level in numeracy", "service", PC, HB, AY, "LGBF", "WB-EDU-PRI", "", 74.2,
  "Percentage of pupils in P1, P4 and P7 assessed by teachers as achieving the expected Curriculum for Excellence level in numeracy.", typ="people")
I("LOC-EDU01", "Average primary class size", "service", RA, IB, AY, "local", "WB-EDU-PRI", "", 23.4,
  "Number of primary pupils divided by the number of primary classes at the September census.", band=(20, 25), tol="1")
I("CHN02", "Cost per secondary school pupil", "service", MO, LB, FY, "LGBF", "WB-EDU-SEC", "", 7520.15,
  "Gross revenue expenditure on secondary schools divided by the number of secondary pupils at the September census.", typ="people", step=190.0)
I("CHN04", "% of pupils gaining 5+ awards at level 5", "service", PC, HB, AY, "LGBF", "WB-EDU-SEC", "", 58.3,
  "Percentage of school leavers gaining five or more awards at SCQF level 5 or better.", typ="people")
I("CHN05", "% of pupils gaining 5+ awards at level 6", "service", PC, HB, AY, "LGBF", "WB-EDU-SEC", "", 29.6,
  "Percentage of school leavers gaining five or more awards at SCQF level 6 or better.", typ="people")
I("CHN06", "% of pupils from deprived areas gaining 5+ awards at level 5", "service", PC, HB, FY, "LGBF", "WB-EDU-SEC", "", 41.2,
  "Percentage of school leavers living in SIMD quintile 1 who gain five or more awards at SCQF level 5 or better.", typ="people")
I("CHN11", "Proportion of pupils entering positive destinations", "service", PC, HB, FY, "LGBF", "WB-EDU-SEC", "", 93.4,
  "Percentage of school leavers in education, training or employment at the initial follow-up three months after leaving school.", typ="people", tol="2%")
I("CHN19A", "School attendance rates", "service", PC, HB, AY, "LGBF", "WB-EDU-PRI;WB-EDU-SEC", "", 90.8,
  "Half-day attendances as a percentage of possible attendances in primary, secondary and special schools.", typ="people", loc=True, tol="1")
I("CHN10", "% of adults satisfied with local schools", "service", PC, HB, FY, "LGBF", "WB-EDU-PRI;WB-EDU-SEC", "", 71.0,
  "Percentage of adults in the Scottish Household Survey who are very or fairly satisfied with local schools (three-year rolling average).", typ="people")
I("CHN21", "Participation rate for 16-19 year olds", "service", PC, HB, FY, "LGBF", "WB-EDU-SEC;PE-EMPL", "", 91.2,
  "Percentage of 16 to 19 year olds participating in education, training or employment, from the Annual Participation Measure.", typ="people", tol="2%")
I("LOC-ASN01", "% of pupils with an additional support need recorded", "service", PC, DO, FY, "local", "WB-ASN", "", 33.8,
  "Percentage of pupils in council schools with one or more additional support needs recorded at the September census.")
I("LOC-ASN02", "% of coordinated support plans completed within 16 weeks", "service", PC, HB, Q, "local", "WB-ASN", "", 72.0,
  "Percentage of coordinated support plans opened in the quarter that were completed within the statutory 16 weeks.", tol="10%")
I("CHN03", "Cost per funded early learning and childcare registration", "service", MO, LB, FY, "LGBF", "WB-EY", "", 9850.00,
  "Gross revenue expenditure on funded early learning and childcare divided by the number of funded registrations.", typ="people", step=240.0)
I("CHN17", "% of children meeting developmental milestones", "service", PC, HB, FY, "LGBF", "WB-EY", "", 81.5,
  "Percentage of children reviewed at the 27 to 30 month health visitor review with no concern recorded in any developmental domain.", typ="people", loc=True)
I("CHN18", "% of funded early years provision graded good or better", "service", PC, HB, FY, "LGBF", "WB-EY", "", 88.6,
  "Percentage of funded early learning and childcare settings graded good or better in all Care Inspectorate quality themes.", typ="people")
I("LOC-EY02", "Occupancy of funded early learning and childcare places (%)", "service", PC, IB, Q, "local", "WB-EY", "", 90.5,
  "Funded early learning and childcare places filled as a percentage of places available in council and partner settings.", band=(85, 95))
I("LOC-PSY01", "% of requests for assistance to educational psychology responded to within 20 working days", "service", PC, HB, Q, "local", "WB-PSYCH", "", 84.0,
  "Percentage of requests for assistance from schools and families that received a psychologist's response within 20 working days.")
I("PTR-CNS01", "% of young people referred to counselling seen within 4 weeks", "service", PC, HB, Q, "partner", "WB-COUNSEL", "", 78.0,
  "Percentage of children and young people referred to the commissioned counselling service who had a first appointment within four weeks.")
I("CHN22", "% of child protection re-registrations within 18 months", "service", PC, LB, FY, "LGBF", "WB-CP", "", 6.5,
  "Percentage of children registered on the child protection register in the year who had been deregistered within the previous 18 months.", typ="people", tol="1")
I("LOC-CP01", "% of initial child protection planning meetings held within 28 days", "service", PC, HB, Q, "local", "WB-CP", "", 86.0,
  "Percentage of initial child protection planning meetings held within 28 calendar days of the concern being reported.", dl="30")
I("LOC-CP02", "Children on the child protection register", "service", CT, DO, Q, "local", "WB-CP", "", 46,
  "Number of children on the child protection register at the end of the quarter.", noise=0.12)
I("CHN09", "% of children being looked after in the community", "service", PC, HB, FY, "LGBF", "WB-CSC", "", 87.9,
  "Percentage of looked after children who are looked after at home, with kinship carers or with foster carers rather than in residential care.", typ="people")
I("CHN08A", "Gross cost of children looked after in residential based services per child per week", "service", MO, LB, FY, "LGBF", "WB-CSC", "", 4780.00,
  "Gross expenditure on residential placements for looked after children divided by the number of children in residential care, per week.", typ="people", step=120.0)
I("CHN23", "% of looked after children with more than one placement in the last year", "service", PC, LB, FY, "LGBF", "WB-CSC", "", 19.6,
  "Percentage of children looked after at 31 July who had more than one placement in the previous year.", typ="people")
I("LOC-CSC01", "Looked after children per 1,000 children aged 0 to 17", "service", RT, DO, Q, "local", "WB-CSC", "", 17.2,
  "Number of looked after children at the end of the quarter per 1,000 children aged 0 to 17.", noise=0.03)
I("LOC-CJ01", "% of unpaid work orders commenced within 7 working days", "service", PC, HB, Q, "local", "WB-CJ", "", 71.0,
  "Percentage of community payback orders with unpaid work where the first work placement began within seven working days of the order.", dl="30", sc="overdue",
  why="Return delayed by the move to the new case management system")
I("LOC-FWB01", "Families supported by the Family Wellbeing Partnership", "service", CT, HB, Q, "local", "WB-FWB", "", 118,
  "Families with an open case with a Family Wellbeing Partnership key worker during the quarter.", loc=True, add=True, need=True, tol="10%")
I("LOC-FWB03", "% of families reporting improved wellbeing at case closure", "service", PC, HB, Q, "local", "WB-FWB", "", 68.0,
  "Percentage of families whose wellbeing outcome star score improved between the start and close of support.", sc="missing",
  why="Case closure questionnaires for the quarter are still being collated")
I("PTR-STR01", "% of STRIVE referrals receiving a multi-agency response within 48 hours", "service", PC, HB, Q, "partner", "WB-STRIVE", "", 82.0,
  "Percentage of referrals to the STRIVE rapid intervention team that received a joint response from partners within 48 hours.", sc="missing",
  why="Partner data not yet received from Police Scotland and NHS Forth Valley")
I("LOC-PAR02", "% of parents reporting increased confidence after a parenting programme", "service", PC, HB, Q, "local", "WB-PAR", "", 81.0,
  "Percentage of parents completing a group or one-to-one parenting programme who report increased confidence in their parenting.")
I("SW01", "Home care costs per hour for people aged 65 or over", "service", MO, LB, FY, "LGBF", "WB-ASC", "", 28.60,
  "Gross expenditure on home care for people aged 65 or over divided by the number of home care hours delivered.", typ="people", step=0.90)
I("SW03A", "% of people aged 65 or over with long-term care needs receiving personal care at home", "service", PC, HB, FY, "LGBF", "WB-ASC", "", 61.2,
  "People aged 65 or over receiving personal care at home as a percentage of all people aged 65 or over with long-term care needs.", typ="people")
I("SW04B", "% of adults supported at home who agree their services had an impact in improving or maintaining their quality of life", "service", PC, HB, FY, "LGBF", "WB-ASC", "", 79.5,
  "Percentage of adults receiving care at home who agree that their services and support improved or maintained their quality of life, from the Health and Care Experience Survey.", typ="people")
I("SW05", "Residential costs per week per resident for people aged 65 or over", "service", MO, LB, FY, "LGBF", "WB-ASC", "", 722.40,
  "Net expenditure on care home places for people aged 65 or over divided by the number of residents, per week.", typ="people", step=22.0)
I("SW07", "% of care services graded good or better in Care Inspectorate inspections", "service", PC, HB, FY, "LGBF", "WB-ASC", "", 78.5,
  "Percentage of registered adult care services in the area graded good (4) or better in their most recent Care Inspectorate inspection.", typ="people")
I("SW08", "Days people spend in hospital when ready to be discharged, per 1,000 population aged 75 or over", "service", RT, LB, FY, "LGBF", "WB-ASC", "", 760.0,
  "Bed days occupied by people aged 75 or over whose discharge from hospital was delayed, per 1,000 residents aged 75 or over.", typ="people", dec=0, sc="red2")
I("LOC-ASC01", "% of adult social care assessments completed within 28 days", "service", PC, HB, Q, "local", "WB-ASC", "", 69.0,
  "Percentage of adult social care needs assessments completed within 28 days of referral.", sc="red2")
I("PTR-ASC02", "Delayed discharge bed days (Clackmannanshire residents)", "service", CT, LB, M, "partner", "WB-ASC", "", 410,
  "Hospital bed days in the month occupied by Clackmannanshire residents who were clinically ready for discharge, from NHS Forth Valley.", sc="missing", tol="10%",
  why="NHS Forth Valley extract for the month not yet published")
I("PTR-OT01", "Average wait for an occupational therapy assessment (days)", "service", DY, LB, Q, "partner", "WB-OT", "", 62.0,
  "Mean number of days from referral to first occupational therapy assessment for people assessed in the quarter.", dl="90", sc="red2")
I("SW04E", "% of carers who feel supported to continue in their caring role", "service", PC, HB, FY, "LGBF", "WB-CARERS", "", 31.5,
  "Percentage of unpaid carers responding to the Health and Care Experience Survey who agree they feel supported to continue caring.", typ="people")
I("PTR-ADP01", "% of people starting drug or alcohol treatment within 3 weeks of referral", "service", PC, HB, Q, "partner", "WB-ADP", "", 91.0,
  "Percentage of people starting drug or alcohol treatment in the quarter who waited no more than three weeks from referral (national standard 90%).", tconst=90.0, tol="2%", dl="90")
I("LOC-CLD01", "Young people taking part in youth work", "service", CT, HB, Q, "local", "WB-CLD", "", 610,
  "Individual young people aged 11 to 25 who took part in council youth work sessions during the quarter.", tol="10%")
I("LOC-ALT02", "% of adult learners reporting improved literacy or numeracy", "service", PC, HB, Q, "local", "WB-ALIT", "", 83.0,
  "Percentage of adult learners completing a learning plan who report improved literacy or numeracy skills.")
I("CL01", "Cost per attendance at sports facilities", "service", MO, LB, FY, "LGBF", "WB-ACTIVE", "", 3.42,
  "Net expenditure on sport and leisure facilities divided by the number of attendances.", typ="other", step=0.05)
I("LOC-ACT01", "Attendances at sport and leisure facilities", "service", CT, HB, Q, "local", "WB-ACTIVE", "", 96000,
  "Attendances at council sport and leisure facilities and Active Living sessions in the quarter.", loc=True, add=True, tol="10%")
# Place and economy
I("ENV01A", "Net cost of waste collection per premise", "service", MO, LB, FY, "LGBF", "PE-WASTE", "", 68.90,
  "Net revenue expenditure on household waste collection divided by the number of premises.", typ="other", step=1.80)
I("ENV06", "% of total household waste arising that is sent to recycling", "service", PC, HB, FY, "LGBF", "PE-WASTE", "", 56.2,
  "Household waste recycled or composted as a percentage of all household waste collected, from SEPA waste data.", typ="other", tol="2%")
I("ENV07A", "% of adults satisfied with refuse collection", "service", PC, HB, FY, "LGBF", "PE-WASTE", "", 81.0,
  "Percentage of adults in the Scottish Household Survey who are very or fairly satisfied with refuse collection (three-year rolling average).", typ="other")
I("LOC-WST01", "Missed bin collections per 100,000 collections", "service", RT, LB, Q, "local", "PE-WASTE", "", 42.0,
  "Reported missed household bin collections in the quarter per 100,000 scheduled collections.", tol="10%")
I("CL04", "Cost of parks and open spaces per 1,000 population", "service", MO, LB, FY, "LGBF", "PE-GROUNDS", "", 21500.00,
  "Net revenue expenditure on parks and open spaces per 1,000 residents.", typ="other", step=450.0)
I("CL05B", "% of adults satisfied with parks and open spaces", "service", PC, HB, FY, "LGBF", "PE-GROUNDS", "", 86.0,
  "Percentage of adults in the Scottish Household Survey who are very or fairly satisfied with parks and open spaces (three-year rolling average).", typ="other")
I("ENV03C", "Street cleanliness score", "service", PC, HB, FY, "LGBF", "PE-GROUNDS", "", 92.4,
  "Percentage of streets assessed as clean to an acceptable standard in Local Environmental Audit and Management System surveys.", typ="other", tol="2%")
I("LOC-FLY01", "Fly-tipping incidents reported", "service", CT, LB, Q, "local", "PE-GROUNDS;PE-WASTE", "", 95,
  "Fly-tipping incidents on public land reported to or found by the council in the quarter.", tol="10%")
I("LOC-PST01", "% of pest control requests responded to within 5 working days", "service", PC, HB, Q, "local", "PE-PEST", "", 87.0,
  "Percentage of domestic and commercial pest control requests where a technician visited within five working days.")
I("LOC-FLT01", "Fleet vehicle availability (%)", "service", PC, HB, Q, "local", "PE-FLEET", "", 93.0,
  "Percentage of scheduled vehicle days when council fleet vehicles were available for service.", tol="2%")
I("ENV04A", "Cost of roads per kilometre", "service", MO, LB, FY, "LGBF", "PE-ROADS", "", 13240.00,
  "Net revenue and capital expenditure on roads divided by the length of the council's road network in kilometres.", typ="other", step=300.0)
I("ENV04B", "% of A class roads that should be considered for maintenance treatment", "service", PC, LB, FY, "LGBF", "PE-ROADS", "", 25.6,
  "Percentage of the A class road network in red or amber condition in the Scottish Road Maintenance Condition Survey (two-year rolling).", typ="other", sc="red2")
I("ENV04C", "% of B class roads that should be considered for maintenance treatment", "service", PC, LB, FY, "LGBF", "PE-ROADS", "", 28.9,
  "Percentage of the B class road network in red or amber condition in the Scottish Road Maintenance Condition Survey (two-year rolling).", typ="other")
I("SPI-RDS01", "% of category 1 road defects made safe within 24 hours", "service", PC, HB, Q, "SPI", "PE-ROADS", "", 93.0,
  "Percentage of road defects classed as category 1 (immediate hazard) that were made safe within 24 hours of being reported.", tol="2%")
I("LOC-RDS02", "Potholes repaired", "service", CT, DO, Q, "local", "PE-ROADS", "", 1150,
  "Number of carriageway potholes repaired in the quarter.", noise=0.18)
I("LOC-WIN01", "% of priority 1 gritting routes treated within 3 hours", "service", PC, HB, FY, "local", "PE-WINTER", "", 96.0,
  "Percentage of priority 1 precautionary gritting runs completed within three hours of the start of treatment over the winter season.", tol="2%")
I("LOC-WIN02", "Salt stock held at 1 November (% of target tonnage)", "service", PC, IB, FY, "local", "PE-WINTER", "", 102.0,
  "Salt held in the depot at 1 November as a percentage of the tonnage set in the winter service plan.", band=(95, 110))
I("LOC-CLM01", "Council's own carbon emissions (tonnes CO2e)", "service", CT, LB, FY, "local", "PE-CLIMATE", "", 11850,
  "Greenhouse gas emissions from council buildings, fleet, street lighting and waste, in tonnes of carbon dioxide equivalent, as reported under the public bodies climate change duties.", sc="overdue", step=-420.0,
  why="Awaiting verified fuel and energy data from suppliers")
I("LOC-TRN01", "Passenger journeys on supported bus services", "service", CT, HB, Q, "local", "PE-TRANSPORT", "", 118000,
  "Passenger journeys made on bus services supported by the council in the quarter, from operators' returns.", tol="10%")
I("LOC-TRN03", "Subsidy per passenger journey on supported bus services", "service", MO, LB, FY, "local", "PE-TRANSPORT", "", 2.85,
  "Council subsidy paid for supported local bus services divided by passenger journeys on those services.", step=0.04)
I("LOC-PRK01", "Town centre car park occupancy (%)", "service", PC, IB, Q, "local", "PE-PARKING", "", 78.0,
  "Average weekday occupancy of council town-centre car parks between 10am and 4pm, from spot counts.", band=(70, 90))
I("LOC-ATR02", "% of pupils travelling to school actively", "service", PC, HB, FY, "local", "PE-TRANSPLAN;WB-EDU-PRI", "", 48.5,
  "Percentage of pupils who walk, wheel, cycle or scoot to school in the Hands Up Scotland survey.")
I("LOC-SCH01", "Primary school occupancy (% of capacity)", "service", PC, IB, FY, "local", "PE-SCHEST", "", 86.0,
  "Primary pupils on the roll as a percentage of the planning capacity of primary schools.", band=(80, 95), loc=True)
I("LOC-SML01", "Uptake of free school meals by eligible pupils (%)", "service", PC, HB, Q, "local", "PE-SMEALS", "", 71.0,
  "Free school meals taken by P6 to S6 pupils registered for free school meals as a percentage of meals available to them.")
I("LOC-CFC01", "Community facility bookings", "service", CT, HB, Q, "local", "PE-COMMFAC", "", 1850,
  "Bookings of council and community-run halls and centres in the quarter.", tol="10%")
I("CL03", "Cost of museums per visit", "service", MO, LB, FY, "LGBF", "PE-CULT", "", 4.90,
  "Net expenditure on museums and galleries divided by the number of visits.", typ="other", step=0.10)
I("LOC-CUL01", "Visitors to heritage attractions", "service", CT, HB, Q, "local", "PE-CULT", "", 21400,
  "Visits to council and partner heritage attractions in the quarter.", tol="10%")
I("ECON05", "Business Gateway start-ups per 10,000 population", "service", RT, HB, FY, "LGBF", "PE-ECONDEV", "", 16.4,
  "Businesses started with Business Gateway support in the year per 10,000 residents.", typ="other", tol="10%")
I("ECON06", "Investment in economic development and tourism per 1,000 population", "service", MO, DO, FY, "LGBF", "PE-ECONDEV", "", 98500.00,
  "Gross revenue and capital expenditure on economic development and tourism per 1,000 residents.", typ="other")
I("LOC-CRD01", "% of City Region Deal milestones achieved on schedule", "service", PC, HB, Q, "local", "PE-CITYDEAL", "", 78.0,
  "Percentage of the council's City Region Deal project milestones due in the quarter that were achieved on schedule.", sc="notarget")
I("ECON01", "% of unemployed people assisted into work from council funded/operated employability programmes", "service", PC, HB, FY, "LGBF", "PE-EMPL", "", 12.8,
  "Unemployed people who entered work after council funded or operated employability support as a percentage of all unemployed people in the area.", typ="other")
I("LOC-EMP01", "People registered with employability services", "service", CT, DO, Q, "local", "PE-EMPL", "", 420,
  "People with an open registration with council or partner employability services at the end of the quarter.", loc=True, add=True, need=True)
I("LOC-EMP02", "People entering employment after employability support", "service", CT, HB, Q, "local", "PE-EMPL", "", 62,
  "People who started a job in the quarter after receiving council funded employability support.", tol="10%")
I("LOC-LPR02", "% of engaged lone parents progressing into learning or work", "service", PC, HB, Q, "local", "PE-LONEPAR;PE-EMPL", "", 38.0,
  "Percentage of lone parents engaged by the Alloa Lone Parents project who moved into learning, training or work.")
I("ECON09", "Town vacancy rates", "service", PC, LB, FY, "LGBF", "PE-TOWNS", "", 14.6,
  "Vacant units in town centres as a percentage of all town-centre commercial units.", typ="other")
I("LOC-HOM01", "Average days in temporary accommodation", "service", DY, LB, Q, "local", "PE-HOUSING", "", 168.0,
  "Mean number of days spent in temporary accommodation by households leaving it in the quarter.", sc="red2")
I("LOC-HOM02", "Homeless applications", "service", CT, DO, Q, "local", "PE-HOUSING", "", 152,
  "Homeless applications made to the council in the quarter.", loc=True, add=True, need=True)
I("SPI-HOM03", "% of homeless assessment decisions made within 28 days", "service", PC, HB, Q, "SPI", "PE-HOUSING", "", 88.0,
  "Percentage of homeless applications where the assessment decision was made within 28 days.")
I("HSN01B", "Gross rent arrears (all tenants) as % of rent due", "service", PC, LB, FY, "LGBF", "PE-TENANT", "", 9.8,
  "Gross rent arrears of current and former tenants at 31 March as a percentage of rent due for the year.", typ="people", sc="red2")
I("HSN02", "% of rent due lost through properties being empty", "service", PC, LB, FY, "LGBF", "PE-TENANT", "", 1.4,
  "Rent lost through council homes being empty as a percentage of the rent due in the year.", typ="people", dec=2, tol="10%")
I("HSN03", "% of council dwellings meeting the Scottish Housing Quality Standard", "service", PC, HB, FY, "LGBF", "PE-TENANT", "", 93.5,
  "Council dwellings that meet the Scottish Housing Quality Standard as a percentage of all council dwellings.", typ="people", tol="2%")
I("HSN04B", "Average days taken to complete non-emergency repairs", "service", DY, LB, FY, "LGBF", "PE-TENANT", "", 8.9,
  "Mean working days taken to complete non-emergency repairs to council homes.", typ="people")
I("LOC-TEN02", "Average days to re-let empty properties", "service", DY, LB, Q, "local", "PE-TENANT", "", 42.0,
  "Mean calendar days between a council home becoming empty and a new tenancy starting, for homes re-let in the quarter.", sc="red2")
# Corporate services delivered to the public
I("LOC-CUS01", "% of calls answered within 60 seconds", "service", PC, HB, M, "local", "CS-CUST", "", 72.0,
  "Percentage of calls to the contact centre answered by an adviser within 60 seconds.")
I("LOC-CUS03", "Customer satisfaction score (out of 10)", "service", SC, HB, Q, "local", "CS-CUST", "", 7.6,
  "Mean score given by customers asked after contact how satisfied they were, on a scale of 0 to 10.", tol="0.5")
I("LOC-PAY01", "% of payments made through digital channels", "service", PC, HB, Q, "local", "CS-PAY", "", 71.0,
  "Payments to the council made online, by direct debit or by automated telephone as a percentage of all payments.")
I("LOC-INF01", "Open data sets published", "service", CT, HB, FY, "local", "CS-INFO", "", 24,
  "Number of council data sets published on the open data portal at the end of the year.", sc="notarget", tol="10%")
I("CORP07", "% of income due from council tax received by the end of the year", "service", PC, HB, FY, "LGBF", "CS-REV", "", 94.6,
  "Council tax received by 31 March as a percentage of the council tax due for the year.", typ="other", tol="0.5")
I("CORP04", "Cost of collecting council tax per dwelling", "service", MO, LB, FY, "LGBF", "CS-REV", "", 8.15,
  "Gross cost of council tax collection divided by the number of chargeable dwellings.", typ="other", step=0.10)
I("CORP12", "Days to process new housing benefit claims", "service", DY, LB, FY, "LGBF", "CS-BEN", "", 21.5,
  "Mean calendar days from receipt of a new housing benefit claim to a decision.", typ="other", tol="2")
I("CORP09", "% of crisis grant decisions within 1 day", "service", PC, HB, FY, "LGBF", "CS-BEN", "", 96.0,
  "Percentage of Scottish Welfare Fund crisis grant applications decided by the end of the next working day.", typ="other", tol="2%")
I("CORP11", "Proportion of Scottish Welfare Fund budget spent", "service", PC, IB, FY, "LGBF", "CS-BEN", "", 99.0,
  "Scottish Welfare Fund grants paid as a percentage of the fund's budget for the year.", typ="other", band=(95, 105))
I("LOC-ADV01", "Household income gained through income maximisation advice", "service", MO, HB, Q, "local", "CS-ADVICE", "", 612000.00,
  "Annualised income gained by households from benefits, grants and debt write-offs after advice from the council's advice service, in pounds.", add=True, need=True, tol="10%")
I("LOC-CPP01", "% of LOIP improvement actions on track", "service", PC, HB, Q, "local", "CS-CP", "", 72.0,
  "Percentage of actions in the Local Outcomes Improvement Plan delivery plans reported as on track by the Clackmannanshire Alliance.")
I("LOC-VOL01", "Voluntary organisations funded", "service", CT, DO, FY, "local", "CS-VOLFUND", "", 34,
  "Number of voluntary and community organisations receiving a council grant in the year.", noise=0.06)
I("ECON04", "% of procurement spent on local enterprises", "service", PC, HB, FY, "LGBF", "CS-PROC;PE-ECONDEV", "", 24.3,
  "Procurement spend with suppliers based in the council area as a percentage of all procurement spend.", typ="other")

# ---- Enabler tier ----------------------------------------------------------
I("CORP06A", "Sickness absence days per teacher", "enabler", DY, LB, FY, "LGBF", "CS-HR", "", 6.1,
  "Working days lost to sickness absence divided by the number of full-time equivalent teachers.", typ="other")
I("CORP06B", "Sickness absence days per employee (non-teacher)", "enabler", DY, LB, FY, "LGBF", "CS-HR", "", 12.4,
  "Working days lost to sickness absence divided by the number of full-time equivalent employees other than teachers.", typ="other", sc="red2")
I("CORP03B", "% of the highest paid 5% of employees who are women", "enabler", PC, HB, FY, "LGBF", "CS-HR", "", 56.4,
  "Women as a percentage of the council's highest paid 5% of employees.", typ="other")
I("CORP03C", "Gender pay gap (council employees)", "enabler", PC, LB, FY, "LGBF", "CS-HR", "", 3.1,
  "Difference between the average hourly pay of men and women employed by the council, as a percentage of men's average hourly pay.", typ="other", dec=2, tol="0.5")
I("LOC-HR01", "Staff turnover (%)", "enabler", PC, IB, FY, "local", "CS-HR", "", 8.4,
  "Employees leaving the council in the year as a percentage of the average headcount.", band=(6, 10), tol="1")
I("LOC-HR02", "Agency staff spend", "enabler", MO, LB, Q, "local", "CS-HR", "", 312000.00,
  "Spend on agency workers in the quarter across all services, in pounds.", tol="10%", step=-6000.0)
I("LOC-OD01", "% of employees who have completed mandatory training", "enabler", PC, HB, Q, "local", "CS-OD", "", 81.0,
  "Percentage of employees who have completed all the mandatory e-learning modules for their role.")
I("LOC-OD02", "Employee engagement index", "enabler", SC, HB, FY, "local", "CS-OD", "", 64.0,
  "Mean engagement score out of 100 from the annual employee survey.")
I("LOC-IT01", "Availability of core business systems (%)", "enabler", PC, HB, M, "local", "CS-IT", "", 99.6,
  "Percentage of core hours in the month when the council's core business systems were available to users.", dec=2, tol="0.5", tconst=99.5, dl="30", nabs=0.2)
I("LOC-IT02", "% of IT incidents resolved within the service level", "enabler", PC, HB, Q, "local", "CS-IT", "", 88.0,
  "Percentage of IT incidents logged with the service desk that were resolved within the agreed service level.")
I("LOC-DIG01", "Council services available online end to end", "enabler", CT, HB, FY, "local", "CS-DIGITAL", "", 38,
  "Number of council services a customer can request, track and complete online without a manual hand-off.", sc="notarget", tol="10%")
I("LOC-DIG02", "Digital transactions as % of all customer transactions", "enabler", PC, HB, Q, "local", "CS-DIGITAL;CS-CUST", "", 58.0,
  "Customer requests and payments made through digital channels as a percentage of all customer transactions.")
I("LOC-PMO01", "% of Be the Future projects on track", "enabler", PC, HB, Q, "local", "CS-PMO", "", 74.0,
  "Percentage of projects in the Be the Future programme reported green or amber at the quarterly programme board.")
I("LOC-PMO02", "Transformation savings delivered", "enabler", MO, HB, FY, "local", "CS-PMO;CS-FIN", "", 554000.00,
  "Recurring savings delivered in the year by the transformation programme, in pounds.", tol="10%", step=40000.0)
I("FINSUS01", "Total useable reserves as % of council annual budgeted revenue", "enabler", PC, HB, FY, "LGBF", "CS-FIN", "", 14.2,
  "Usable reserves held at 31 March as a percentage of the council's budgeted revenue for the year.", typ="other")
I("FINSUS02", "Uncommitted General Fund balance as % of council annual budgeted net revenue", "enabler", PC, IB, FY, "LGBF", "CS-FIN", "", 3.6,
  "General Fund balance not earmarked for a purpose as a percentage of budgeted net revenue, against the reserves policy range.", typ="other", band=(3, 5), tol="0.5")
I("FINSUS03", "Ratio of financing costs to net revenue stream - General Fund", "enabler", PC, LB, FY, "LGBF", "CS-FIN", "", 6.8,
  "Capital financing costs charged to the General Fund as a percentage of the net revenue stream.", typ="other")
I("LOC-FIN01", "Revenue budget variance (% of net budget)", "enabler", PC, IB, Q, "local", "CS-FIN", "", 0.6,
  "Projected year-end variance on the General Fund revenue budget as a percentage of the net budget (positive = overspend).", band=(-2, 2), tol="0.5", nabs=0.6, neg=True, dec=2)
I("CORP01", "Support services as a % of total gross expenditure", "enabler", PC, LB, FY, "LGBF", "CS-FIN", "", 4.6,
  "Gross expenditure on support services as a percentage of the council's total gross revenue expenditure.", typ="other", dec=2)
I("CORP08", "% of invoices sampled that were paid within 30 days", "enabler", PC, HB, FY, "LGBF", "CS-FIN", "", 91.5,
  "Percentage of supplier invoices paid within 30 days of receipt.", typ="other", tol="2%")
I("LOC-INC01", "Income from fees and charges against budget (%)", "enabler", PC, HB, Q, "local", "CS-INCOME", "", 96.0,
  "Income received from fees and charges to date as a percentage of the budgeted income to date.", tol="2%")
I("SPI-FOI01", "% of freedom of information requests responded to within 20 working days", "enabler", PC, HB, Q, "SPI", "CS-GOV", "", 89.0,
  "Percentage of requests under the Freedom of Information (Scotland) Act 2002 answered within the statutory 20 working days.")
I("SPI-CMP01", "% of stage 1 complaints responded to within 5 working days", "enabler", PC, HB, Q, "SPI", "CS-PERF", "", 78.0,
  "Percentage of frontline (stage 1) complaints closed within five working days under the model complaints handling procedure.")
I("SPI-CMP02", "% of stage 2 complaints responded to within 20 working days", "enabler", PC, HB, Q, "SPI", "CS-PERF", "", 71.0,
  "Percentage of investigation (stage 2) complaints closed within 20 working days under the model complaints handling procedure.", tol="10%")
I("LOC-PRF01", "% of performance indicators with data submitted by the deadline", "enabler", PC, HB, Q, "local", "CS-PERF", "", 84.0,
  "Percentage of indicators due in the quarter whose data was entered in the performance system by the collection deadline.")
I("LOC-CON01", "% of commissioned contracts with a performance review in the last 12 months", "enabler", PC, HB, Q, "local", "CS-CONTRACT;CS-COMMHUB", "", 68.0,
  "Percentage of live commissioned and partnership contracts that have had a recorded contract performance review in the last 12 months.")
I("LOC-COM01", "% of residents who feel informed about council services", "enabler", PC, HB, FY, "local", "CS-COMMS", "", 51.0,
  "Percentage of citizens' panel respondents who feel very or fairly well informed about council services.", sc="notarget")
I("CAST01", "Proportion of operational buildings that are suitable for their current use", "enabler", PC, HB, FY, "LGBF", "PE-ASSET", "", 84.6,
  "Operational council buildings assessed as suitable for their current use as a percentage of all operational buildings.", typ="other")
I("CAST02", "Proportion of internal floor area of operational buildings in satisfactory condition", "enabler", PC, HB, FY, "LGBF", "PE-ASSET", "", 88.2,
  "Internal floor area of operational buildings in good or satisfactory condition as a percentage of all operational floor area.", typ="other")
I("LOC-ENB01", "% of staff who understand how their work contributes to the council's outcomes", "enabler", PC, HB, FY, "local", "", "", 58.0,
  "Percentage of employee survey respondents who agree they understand how their work contributes to the council's outcomes.")
I("LOC-ENB02", "Elected member development sessions delivered", "enabler", CT, HB, FY, "local", "", "", 12,
  "Number of development and briefing sessions for elected members held in the year.", tol="10%")

# ----------------------------------------------------------------------------
# Periods
# ----------------------------------------------------------------------------


def fy_label(y):
    return f"{y}/{(y + 1) % 100:02d}"


def month_end(y, m):
    return dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)


def periods(freq):
    """[(label, end date, year index from 2021/22)] for the indicator's data range."""
    out = []
    if freq == Q:
        for y in range(2021, 2027):
            for q in range(1, 5):
                if (y, q) > (2026, 2):
                    break
                end = {1: dt.date(y, 6, 30), 2: dt.date(y, 9, 30), 3: dt.date(y, 12, 31),
                       4: dt.date(y + 1, 3, 31)}[q]
                out.append((f"{fy_label(y)} Q{q}", end, y - 2021))
    elif freq == M:
        y, m = 2021, 4
        while (y, m) <= (2026, 10):
            out.append((f"{y}-{m:02d}", month_end(y, m), (y if m >= 4 else y - 1) - 2021))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    elif freq == FY:
        out = [(fy_label(y), dt.date(y + 1, 3, 31), y - 2021) for y in range(2021, 2026)]
    elif freq == AY:
        out = [(f"AY{fy_label(y)}", dt.date(y + 1, 7, 31), y - 2021) for y in range(2021, 2026)]
    elif freq == CY:
        out = [(str(y), dt.date(y, 12, 31), y - 2021) for y in range(2021, 2026)]
    for _, end, _ in out:
        assert end < TODAY
    return out


# ----------------------------------------------------------------------------
# Numbers
# ----------------------------------------------------------------------------
DEFAULT_DEC = {PC: 1, MO: 2, CT: 0, DY: 1, RT: 1, RA: 1, SC: 1}
DEFAULT_NOISE = {PC: 0.02, MO: 0.02, CT: 0.06, DY: 0.05, RT: 0.05, RA: 0.02, SC: 0.02}


def q(v, dec):
    """A float rounded half-up to `dec` places, as a Decimal."""
    d = Decimal(repr(float(v))).quantize(Decimal(1).scaleb(-dec), rounding=ROUND_HALF_UP)
    return d + 0  # normalise -0


def fmt(d):
    return "" if d is None else str(d)


def tol_amount(tol, base):
    if tol == "":
        return Decimal(5) * abs(base) / 100
    if tol.endswith("%"):
        return Decimal(tol[:-1]) * abs(base) / 100
    return Decimal(tol)


def status(spec, value, target, band):
    """DOMAIN §2 status for a value (None = no value handled by the caller)."""
    pol = spec["pol"]
    if pol == DO:
        return "no-target"
    if pol == IB:
        if band is None:
            return "no-target"
        lo, hi = band
        if lo <= value <= hi:
            return "green"
        if lo - tol_amount(spec["tol"], lo) <= value < lo or hi < value <= hi + tol_amount(spec["tol"], hi):
            return "amber"
        return "red"
    if target is None:
        return "no-target"
    t = tol_amount(spec["tol"], target)
    if pol == HB:
        return "green" if value >= target else "amber" if value >= target - t else "red"
    return "green" if value <= target else "amber" if value <= target + t else "red"


def trend(spec, cur, prev, band):
    if prev == 0:
        stable = cur == 0
    else:
        stable = abs(cur - prev) <= abs(prev) / 100
    if stable:
        return "stable"
    pol = spec["pol"]
    if pol == HB:
        return "improving" if cur > prev else "worsening"
    if pol == LB:
        return "improving" if cur < prev else "worsening"
    if pol == IB and band:
        def dist(v):
            return band[0] - v if v < band[0] else v - band[1] if v > band[1] else 0
        return "improving" if dist(cur) < dist(prev) else "worsening" if dist(cur) > dist(prev) else "stable"
    return "up" if cur > prev else "down"


def nice_target(spec, v):
    """Round a target the way a council would set it."""
    unit, dec = spec["unit"], spec["dec"]
    if unit == PC:
        if 5 <= abs(v) <= 95 and dec == 1:
            return q(round(v * 2) / 2, 1)
        return q(v, dec)
    if unit == CT:
        a = abs(v)
        step = 100 if a >= 5000 else 10 if a >= 1000 else 5 if a >= 100 else 1
        return q(round(v / step) * step, 0)
    if unit == MO and abs(v) >= 10000:
        return q(round(v / 500) * 500, 2)
    return q(v, dec)


# ----------------------------------------------------------------------------
# Build
# ----------------------------------------------------------------------------
def read_csv(name):
    with open(os.path.join(OUT, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(name, header, rows):
    with open(os.path.join(OUT, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def owner_of(spec, leads):
    svcs = [s for s in spec["svc"].split(";") if s]
    outs = [o for o in spec["out"].split(";") if o]
    if spec["tier"] == "service":
        return leads[svcs[0]]
    if spec["tier"] == "outcome":
        return "director.place@demo.example" if outs[0] in ("LO1", "LO4") else "director.wellbeing@demo.example"
    if not svcs or svcs[0] in ("CS-PERF", "CS-IT", "CS-DIGITAL", "CS-PMO", "CS-COMMS"):
        return "performance@demo.example"
    return "head.corporate@demo.example"


SCENARIO_FALLBACK = ["green", "red", "amber"]
TRENDS = ["improving", "worsening", "stable"]


def good_dir(spec):
    return -1 if spec["pol"] == LB else 1


def clamp(spec, v):
    if spec["unit"] == PC:
        v = min(v, 100.0)
    if not spec.get("neg"):
        v = max(v, 0.0)
    return v


def make_targets(spec, plist):
    """{label: (target Decimal | None, band | None)} for every period; in-band gives bands."""
    out = {}
    base = spec["base"]
    if spec["pol"] == IB:
        lo, hi = spec["band"]
        for label, _, _ in plist:
            out[label] = (None, (Decimal(str(lo)), Decimal(str(hi))))
        return out
    g = good_dir(spec)
    if "step" in spec:
        step = spec["step"]
    else:
        step = g * 0.015 * abs(base)
        if spec["unit"] == PC:
            room = (100 - base) if g > 0 else base
            step = g * min(abs(step), room * 0.05)
    start = base + step * 0.5
    for label, _, yi in plist:
        if "tconst" in spec:
            t = spec["tconst"]
        else:
            t = start + step * yi
        if spec["unit"] == PC:
            t = min(t, 99.5 if base < 99 else 99.9)
        out[label] = (nice_target(spec, t), None)
    return out


def pick_latest(spec, sc, tr, tgt_l, tgt_p, band):
    """The latest (L) and previous (P) values for a scenario and trend, or "fail"."""
    dec = spec["dec"]
    g = good_dir(spec)
    base = spec["base"]
    for _ in range(400):
        if spec["pol"] == DO or sc in ("notarget", "missing", "overdue"):
            nr = spec.get("noise", DEFAULT_NOISE[spec["unit"]])
            ref = float(tgt_l) if tgt_l is not None else base * (1 + RNG.uniform(-2.0, 3.0) * nr)
            L = ref * (1 + g * RNG.uniform(-0.05, 0.03)) if spec["pol"] != DO else ref
        elif spec["pol"] == IB:
            lo, hi = (float(b) for b in band)
            tl, th = float(tol_amount(spec["tol"], band[0])), float(tol_amount(spec["tol"], band[1]))
            side = RNG.random() < 0.5
            if sc == "green":
                L = RNG.uniform(lo + (hi - lo) * 0.1, hi - (hi - lo) * 0.1)
            elif sc == "amber":
                L = lo - tl * RNG.uniform(0.2, 0.9) if side else hi + th * RNG.uniform(0.2, 0.9)
            else:
                L = lo - tl * RNG.uniform(1.5, 3.0) if side else hi + th * RNG.uniform(1.5, 3.0)
        else:
            t = float(tgt_l)
            tol = float(tol_amount(spec["tol"], tgt_l))
            if sc == "green" and spec["unit"] == PC and g > 0 and t > 60:
                L = t + (100 - t) * RNG.uniform(0.0, 0.3)
            elif sc == "green":
                L = t + g * abs(t) * RNG.uniform(0.0, 0.04)
            elif sc == "amber":
                L = t - g * tol * RNG.uniform(0.15, 0.9)
            else:  # red, red2
                L = t - g * tol * RNG.uniform(1.3, 2.8)
        L = clamp(spec, L)
        mag = max(abs(L), abs(base) * 0.5, spec.get("nabs", 0) * 2)
        d = RNG.uniform(0.015, 0.06) * mag
        if spec["unit"] == PC and spec["pol"] == HB and L > 80:
            d = min(d, RNG.uniform(0.15, 0.5) * (100 - L) + 1.2)
        if spec["pol"] in (DO, IB):
            sign = RNG.choice([-1, 1])
        else:
            sign = g
        if tr == "improving":
            P = L - sign * d
        elif tr == "worsening":
            P = L + sign * d
        else:
            P = L + RNG.uniform(-0.008, 0.008) * abs(L)
        P = clamp(spec, P)
        Ld, Pd = q(L, dec), q(P, dec)
        # checks
        if sc in ("missing", "overdue"):
            return None, Pd
        tb_l = band if spec["pol"] == IB else None
        if sc == "notarget" or spec["pol"] == DO:
            return Ld, Pd
        if status(spec, Ld, tgt_l, tb_l) != ("red" if sc == "red2" else sc):
            continue
        if trend(spec, Ld, Pd, tb_l) != tr:
            continue
        if sc == "red2" and status(spec, Pd, tgt_p, tb_l) != "red":
            continue
        return Ld, Pd
    return "fail"


# Cumulative chances of (green, green or amber) for indicators that lean to an
# outcome: in the illustrative data LO3 (women and girls) is going well (every
# indicator counting towards it) and LO2 (attainment) badly (its own other
# indicators and its primary services'); the rest take the general mix.
OUTCOME_LEAN = {"LO3": (0.9, 0.97), "LO2": (0.0, 0.1)}


def build():
    services = {r["code"]: r for r in read_csv("services.csv")}
    served = {}
    for r in read_csv("contributions.csv"):
        served.setdefault(r["service"], {})[r["outcome"]] = r["strength"]
    people = {r["email"] for r in read_csv("people.csv")}
    leads = {c: r["lead"] for c, r in services.items()}

    ind_rows, tgt_rows, meas_rows, bv_rows = [], [], [], []
    # choose which indicators get a historic gap (non-LGBF quarterly, no special scenario)
    gap_codes = {"LOC-ASN02": ("2022/23 Q3", "Not collected: case management system migration"),
                 "LOC-PSY01": ("2021/22 Q2", "Not collected: recording paused during Covid-19 recovery"),
                 "LOC-CUS01": ("2023-01", "Telephony system replacement: no call statistics for this month"),
                 "LOC-PAR02": ("2021/22 Q1", "No programmes ran: Covid-19 restrictions on group work")}
    notes_pool = ["Revised following data validation", "Includes a one-off rise in demand",
                  "Staff vacancies affected performance in this period",
                  "New recording system introduced this period", "Figure confirmed by the service manager"]
    loc_codes = [c for c, _, _, _ in LOCALITIES]

    # benchmark groups
    bg_rows = []
    for typ, groups in (("people", PEOPLE_GROUPS), ("other", OTHER_GROUPS)):
        for gname, areas in groups.items():
            for a in areas:
                bg_rows.append((typ, gname, a))
    people_group = {a: int(g) for g, areas in PEOPLE_GROUPS.items() for a in areas}
    other_group = {a: int(g) for g, areas in OTHER_GROUPS.items() for a in areas}

    for spec in SPECS:
        spec.setdefault("tol", "")
        spec.setdefault("dec", DEFAULT_DEC[spec["unit"]])
        code = spec["code"]
        plist = periods(spec["freq"])
        labels = [p[0] for p in plist]
        n = len(plist)
        owner = owner_of(spec, leads)
        assert owner in people, owner
        for s in [s for s in spec["svc"].split(";") if s]:
            assert s in services, s
        band = spec.get("band")
        band_d = (Decimal(str(band[0])), Decimal(str(band[1]))) if band else None
        ind_rows.append((
            code, spec["title"], spec["tier"], spec["unit"], spec["pol"], spec["freq"], spec["src"],
            owner, spec["tol"], fmt(band_d[0]) if band else "", fmt(band_d[1]) if band else "",
            spec["svc"], spec["out"], "yes" if spec.get("loc") else "no", spec.get("dl", ""),
            spec["defn"] + " Illustrative demo data.", spec.get("typ", ""),
        ))
        deadline = int(spec.get("dl") or 60)

        # targets
        targets = {} if spec["pol"] == DO else make_targets(spec, plist)
        sc = spec.get("sc")
        latest_year = plist[-1][2]
        if sc == "notarget":
            targets = {k: v for k, v in targets.items() if dict((p[0], p[2]) for p in plist)[k] != latest_year}
        for label in labels:
            if label in targets:
                t, b = targets[label]
                tgt_rows.append((code, label, fmt(t), fmt(b[0]) if b else "", fmt(b[1]) if b else ""))

        # scenario and trend: an indicator leans with the outcome it serves most
        # directly (its own first outcome, else its first service's primary one), so
        # that the demo's outcomes roll up differently (see OUTCOME_LEAN)
        if sc is None:
            direct = {o for o in spec["out"].split(";") if o}
            svcs = [v for v in spec["svc"].split(";") if v]
            primary = {o for v in svcs for o, st in served.get(v, {}).items() if st == "primary"}
            anyhow = direct | {o for v in svcs for o in served.get(v, {})}
            lean = ("LO3" if "LO3" in anyhow
                    else "LO2" if "LO2" in direct | primary else None)
            g, a = OUTCOME_LEAN.get(lean, (0.56, 0.86))
            r = RNG.random()
            sc = "green" if r < g else "amber" if r < a else "red"
        if "tr" in spec:
            tr = spec["tr"]
        elif sc == "red2":
            tr = RNG.choice(["worsening", "stable", "worsening", "improving"])
        else:
            r = RNG.random()
            tr = "improving" if r < 0.45 else "worsening" if r < 0.8 else "stable"
        tl = targets.get(labels[-1], (None, None))[0]
        tp = targets.get(labels[-2], (None, None))[0]
        tband = band_d
        res = "fail"
        for sc_try in [sc] + [s for s in SCENARIO_FALLBACK if s != sc and sc not in ("red2", "missing", "overdue", "notarget")]:
            for tr_try in [tr] + [t for t in TRENDS if t != tr]:
                res = pick_latest(spec, sc_try, tr_try, tl, tp, tband)
                if res != "fail":
                    break
            if res != "fail":
                break
        assert res != "fail", code
        L, P = res

        # history: from the base level to P with AR(1) noise
        dec = spec["dec"]
        noise_rel = spec.get("noise", DEFAULT_NOISE[spec["unit"]])
        vals = []
        e = 0.0
        B = spec["base"] * (1 + RNG.uniform(-0.01, 0.01))
        for i in range(n - 2):
            level = B + (float(P) - B) * i / (n - 2)
            sd = noise_rel * abs(level)
            if spec["unit"] == PC:
                sd = min(sd, 0.07 * (100 - level) + 0.3)
            sd = spec.get("nabs", sd)
            e = 0.6 * e + RNG.gauss(0, sd)
            vals.append(q(clamp(spec, level + e), dec))
        vals.append(P)
        vals.append(L)

        # whole-area rows (value or missing)
        whole = {}
        for i, label in enumerate(labels):
            v, reason = vals[i], ""
            if i == n - 1 and v is None:
                reason = spec["why"]
            if code in gap_codes and gap_codes[code][0] == label:
                v, reason = None, gap_codes[code][1]
            whole[label] = (v, reason)

        # statuses and notes per row
        def row_status(i):
            if i == n - 1:
                return "draft" if RNG.random() < 1 / 3 else "submitted"
            return "assured"

        def row_note(i, v):
            if i == n - 1 and sc == "red2":
                return "Improvement plan agreed at the outcome board"
            if i == 0 and spec["freq"] in (Q, M) and RNG.random() < 0.08:
                return "Covid-19 recovery: service capacity still reduced"
            if v is not None and RNG.random() < 0.025:
                return RNG.choice(notes_pool)
            return ""

        # locality factors
        loc_vals = {}
        if spec.get("loc"):
            g = good_dir(spec)
            if spec.get("add"):
                need = spec.get("need")
                w = [share * (1 + (0.35 * dep if need else 0)) * RNG.uniform(0.9, 1.1)
                     for _, _, share, dep in LOCALITIES]
                tot = sum(w)
                w = [x / tot for x in w]
                for label in labels:
                    v = whole[label][0]
                    if v is None:
                        loc_vals[label] = [None] * len(LOCALITIES)
                        continue
                    parts = [float(v) * x * RNG.uniform(0.95, 1.05) for x in w]
                    s = sum(parts)
                    parts = [p * float(v) / s for p in parts]
                    if dec == 0:
                        fl = [int(p) for p in parts]
                        rem = int(v) - sum(fl)
                        order = sorted(range(len(parts)), key=lambda k: -(parts[k] - fl[k]))
                        for k in order[:rem]:
                            fl[k] += 1
                        loc_vals[label] = [Decimal(x) for x in fl]
                    else:
                        ds = [q(p, dec) for p in parts[:-1]]
                        ds.append(v - sum(ds))
                        loc_vals[label] = ds
            else:
                spread = RNG.uniform(0.05, 0.12)
                sgn = -g if spec["pol"] in (HB, LB) else RNG.choice([-1, 1])
                f = [1 + sgn * dep * spread + RNG.gauss(0, 0.02) for _, _, _, dep in LOCALITIES]
                m = sum(share * x for (_, _, share, _), x in zip(LOCALITIES, f))
                f = [x / m for x in f]
                for label in labels:
                    v = whole[label][0]
                    if v is None:
                        loc_vals[label] = [None] * len(LOCALITIES)
                        continue
                    loc_vals[label] = [q(clamp(spec, float(v) * x * (1 + RNG.gauss(0, 0.015))), dec) for x in f]

        for i, label in enumerate(labels):
            v, reason = whole[label]
            st = row_status(i)
            meas_rows.append((code, label, "", fmt(v), reason, st, row_note(i, v)))
            if spec.get("loc"):
                for k, lc in enumerate(loc_codes):
                    lv = loc_vals[label][k]
                    meas_rows.append((code, label, lc, fmt(lv), "" if lv is not None else reason, st, ""))

        # benchmark values (LGBF: first four years, all 32 areas and Scotland)
        if spec["src"] == "LGBF":
            typ = spec["typ"]
            bper = labels[:4]
            g = good_dir(spec)
            own0 = float(whole[bper[0]][0])
            if spec["unit"] == PC and own0 > 80:
                s0 = 100 - (100 - own0) * RNG.uniform(0.75, 1.3)
            else:
                s0 = own0 * (1 + RNG.uniform(-0.08, 0.08))
            growth = RNG.uniform(-0.015, 0.03) if spec["unit"] != MO else RNG.uniform(0.02, 0.045)
            spread = {PC: 0.10, MO: 0.14, DY: 0.15, RT: 0.18, RA: 0.06, SC: 0.06, CT: 0.2}[spec["unit"]]
            af = {}
            for a in AREAS:
                f = RNG.gauss(0, spread)
                if typ == "people":
                    f += -g * (people_group[a] - 2.5) * spread * 0.4 if spec["pol"] in (HB, LB) else 0
                elif spec["unit"] == MO:
                    f += (other_group[a] - 2) * 0.05 + (0.3 if a in ISLANDS else 0)
                af[a] = f
            for j, label in enumerate(bper):
                S = s0 * (1 + growth * j) * (1 + RNG.gauss(0, 0.01))
                for a in AREAS + ["Scotland"]:
                    if a == OWN_AREA:
                        v = whole[label][0]
                    elif a == "Scotland":
                        v = q(clamp(spec, S), dec)
                    else:
                        f = af[a] + RNG.gauss(0, 0.02)
                        if spec["unit"] == PC and spec["pol"] == HB and S > 80:
                            x = 100 - (100 - S) * (1 - f * 2.5)
                        else:
                            x = S * (1 + f)
                        v = q(clamp(spec, max(x, 0.01 * S)), dec)
                    bv_rows.append((code, label, a, fmt(v)))

    write_csv("localities.csv", ["code", "name"], [(c, nme) for c, nme, _, _ in LOCALITIES])
    write_csv("indicators.csv", ["code", "title", "tier", "unit", "polarity", "frequency", "source", "owner",
                                 "tolerance", "band_low", "band_high", "services", "outcomes", "by_locality",
                                 "deadline_days", "definition", "benchmark_typology"], ind_rows)
    write_csv("targets.csv", ["indicator", "period", "target", "band_low", "band_high"], tgt_rows)
    write_csv("measurements.csv", ["indicator", "period", "locality", "value", "missing_reason", "status", "note"],
              meas_rows)
    write_csv("benchmark-groups.csv", ["typology", "group", "area"], bg_rows)
    write_csv("benchmark-values.csv", ["indicator", "period", "area", "value"], bv_rows)
    print(f"wrote {len(ind_rows)} indicators, {len(tgt_rows)} targets, {len(meas_rows)} measurements, "
          f"{len(bg_rows)} benchmark groups, {len(bv_rows)} benchmark values to {OUT}")


if __name__ == "__main__":
    build()
