"""The demo dataset: a mid-sized company's CX portfolio for one funding round.

Everything is created through the service functions (so every row has its
accountability event), by the user who would do it in real life: the admin sets
up the catalog, finance creates the round, each team lead drafts and submits
their own team's initiatives.  The data is fixed (no randomness): two loads give
the same records, only ids, timestamps and token secrets differ.

Money is in integer minor units (cents); the amounts below are written in whole
euros (``K`` = thousand) and converted once.
"""
import datetime as dt

from cxgov.db import write_transaction
from cxgov.models import Initiative, Metric, Objective, Partner, Round, Team, User
from cxgov.services import auth, closed_loop, governance, initiatives, metrics, partners, rounds, teams
from cxgov.services.actor import SYSTEM, Actor

CENTS = 100
K = 1000

# ---------------------------------------------------------------- teams
# key: (name, department, customer_facing, lead name, lead e-mail)
TEAMS = {
    "support": ("Customer Support", "Support", True, "Maria Jensen", "maria.jensen@example.com"),
    "product": ("Digital Product", "Product", True, "Daniel Cho", "daniel.cho@example.com"),
    "marketing": ("Lifecycle Marketing", "Marketing", True, "Sofia Marquez", "sofia.marquez@example.com"),
    "logistics": ("Fulfilment & Delivery", "Logistics", True, "Ahmed Karimi", "ahmed.karimi@example.com"),
    "hr": ("People & Culture", "HR", False, "Lena Fischer", "lena.fischer@example.com"),
    "it": ("IT Platforms", "IT", False, "Oskar Nilsson", "oskar.nilsson@example.com"),
    "sales": ("Account Management", "Sales", True, "Chloe Dubois", "chloe.dubois@example.com"),
    "finance": ("Billing & Revenue Operations", "Finance", False, "Victor Mensah", "victor.mensah@example.com"),
}

# ---------------------------------------------------------------- users
# (role, name, e-mail); each of them gets a demo token (see _load).
PEOPLE = [
    ("admin", "Alex Morgan", "alex.morgan@example.com"),
    ("board_chair", "Priya Raman", "priya.raman@example.com"),
    ("board_member", "Jonas Weber", "jonas.weber@example.com"),
    ("board_member", "Aisha Bello", "aisha.bello@example.com"),
    ("board_member", "Henrik Larsen", "henrik.larsen@example.com"),
    ("finance", "Grace Okafor", "grace.okafor@example.com"),
    ("viewer", "Sam Lee", "sam.lee@example.com"),
]
# Executive sponsors (role viewer): key → (name, e-mail, title)
SPONSORS = {
    "cco": ("Helena Brandt", "helena.brandt@example.com", "Chief Customer Officer"),
    "cto": ("Marcus Ode", "marcus.ode@example.com", "Chief Technology Officer"),
    "cfo": ("Ingrid Holm", "ingrid.holm@example.com", "Chief Financial Officer"),
    "cro": ("Rafael Costa", "rafael.costa@example.com", "Chief Revenue Officer"),
    "cpo": ("Nadia Petrova", "nadia.petrova@example.com", "Chief People Officer"),
    "ops": ("Tomas Lindqvist", "tomas.lindqvist@example.com", "VP Operations"),
}
ROLES_PRINTED = ("admin", "board_chair", "board_member", "team_lead", "finance", "viewer")

# ---------------------------------------------------------------- metric catalog
# Weights add up to 1.  Every target is on the better side of its baseline.
METRICS = [
    dict(key="nps", name="Net Promoter Score", unit="points", direction="higher_is_better",
         baseline=18.0, target=30.0, weight=0.25, range_min=-100.0, range_max=100.0,
         description="Share of promoters (9–10) minus share of detractors (0–6), relationship survey, "
                     "all customers, rolling 90 days."),
    dict(key="csat", name="Customer satisfaction (CSAT)", unit="% satisfied", direction="higher_is_better",
         baseline=78.0, target=85.0, weight=0.20, range_min=0.0, range_max=100.0,
         description="Share of 4–5 answers on the 1–5 post-interaction survey, all channels."),
    dict(key="ces", name="Customer Effort Score", unit="mean effort (1–7)", direction="lower_is_better",
         baseline=4.1, target=3.2, weight=0.15, range_min=1.0, range_max=7.0,
         description="'How much effort did it take to get this done?' 1 = very little, 7 = a great deal; "
                     "mean over support and self-service journeys."),
    dict(key="renewal_rate", name="Renewal rate", unit="%", direction="higher_is_better",
         baseline=81.0, target=86.0, weight=0.20, range_min=0.0, range_max=100.0,
         description="Contracts renewed ÷ contracts up for renewal in the period."),
    dict(key="churn", name="Monthly churn", unit="% of customers per month", direction="lower_is_better",
         baseline=2.4, target=1.8, weight=0.10, range_min=0.0, range_max=100.0,
         description="Customers lost in the month ÷ customers at the start of the month."),
    dict(key="cost_to_serve", name="Cost to serve", unit="EUR per customer per year", direction="lower_is_better",
         baseline=142.0, target=120.0, weight=0.10, range_min=0.0, range_max=1000.0,
         description="Support, delivery-exception and billing-dispute cost divided by active customers."),
]

# key → (title, description, metric key, baseline, target, deadline, weight)
OBJECTIVES = {
    "renewal": ("Raise the renewal rate from 81 % to 86 % by 2027-12-31",
                "Keep more of the customers we already have: renewal is where CX pays back.",
                "renewal_rate", 81.0, 86.0, dt.date(2027, 12, 31), 3.0),
    "nps": ("Lift NPS from 18 to 30 by 2027-06-30",
            "Move from 'fine' to 'recommended': fewer detractors after delivery and support contacts.",
            "nps", 18.0, 30.0, dt.date(2027, 6, 30), 3.0),
    "effort": ("Cut customer effort from 4.1 to 3.2 by 2027-03-31",
               "Make the support, returns and account-change journeys easy enough to finish in one go.",
               "ces", 4.1, 3.2, dt.date(2027, 3, 31), 2.0),
    "churn": ("Reduce monthly churn from 2.4 % to 1.8 % by 2027-12-31",
              "Fewer customers leaving in their first year and after a billing or delivery failure.",
              "churn", 2.4, 1.8, dt.date(2027, 12, 31), 2.0),
    "cost": ("Bring cost to serve from EUR 142 to EUR 120 per customer by 2028-06-30",
             "Remove the contacts customers should never have had to make, rather than rationing service.",
             "cost_to_serve", 142.0, 120.0, dt.date(2028, 6, 30), 1.0),
}

# ---------------------------------------------------------------- partners
# key → (name, kind, description, [(assessed_on, vision, data, process, feedback, note, by)])
PARTNERS = {
    "crm": ("Cloudwave CRM", "vendor", "CRM and contact-centre SaaS used by support, sales and marketing.", [
        (dt.date(2025, 11, 12), 5, 4, 5, 4, "Joint roadmap reviews; open APIs; fixes customer-reported bugs fast.",
         "Oskar Nilsson"),
    ]),
    "bpo": ("Helpline BPO Services", "provider", "Outsourced tier-1 phone and chat support (about 40 % of contacts).", [
        (dt.date(2025, 4, 3), 3, 3, 3, 4, "Agents follow scripts well; little feedback flows back to us.", "Maria Jensen"),
        (dt.date(2026, 1, 20), 4, 3, 4, 5, "Now shares contact reasons weekly and joins our complaint reviews.",
         "Maria Jensen"),
    ]),
    "parcel": ("Nordlicht Parcel", "provider", "Last-mile parcel delivery for web and app orders.", [
        (dt.date(2025, 3, 18), 2, 2, 3, 2, "Tracking data arrives a day late; complaints answered in weeks.",
         "Ahmed Karimi"),
        (dt.date(2026, 2, 9), 3, 3, 4, 3, "Real-time scan events now shared; driver training still generic.",
         "Ahmed Karimi"),
    ]),
    "pay": ("PayBridge", "vendor", "Payment processing, direct debit and dunning.", [
        (dt.date(2025, 10, 1), 2, 1, 2, 2, "Will not share failed-payment reasons; dunning letters are harsh and "
                                           "cannot be changed.", "Victor Mensah"),
    ]),
    "retail": ("Retail Partners Group", "reseller", "Franchise stores selling and servicing our products in 60 towns.", [
        (dt.date(2025, 9, 15), 3, 2, 2, 3, "Store staff keen, but returns and repairs follow their own process.",
         "Chloe Dubois"),
    ]),
    "panel": ("InsightPanel Research", "supplier", "Survey panel and fieldwork for customer research.", []),
}

# ---------------------------------------------------------------- initiatives
# Grid cells: focus area × building block.
V, E, O, T = "vision_strategy", "employees", "operations", "technology"
XD, CI, CM, LG = ("experience_design_operations", "customer_insights_metrics", "culture_management",
                  "leadership_governance")


def _i(key, title, team, cell, stage, channels, one_time, annual, requested, risk, months, sponsor, problem,
       objectives, impacts, partners=None, deps=(), contrib=(), submit=True):
    return dict(key=key, title=title, team=team, focus_area=cell[0], building_block=cell[1],
                journey_stage=stage, channels=list(channels), one_time_cost=one_time * CENTS,
                annual_cost=annual * CENTS, requested_amount=requested * CENTS, risk=risk,
                months_to_value=months, sponsor=sponsor, problem_statement=problem,
                objectives=objectives, impacts=impacts, partners=partners or {}, deps=list(deps),
                contrib=list(contrib), submit=submit)


# objectives: {objective key: alignment 0–5}; impacts: {metric key: (expected change, confidence)};
# partners: {partner key: share}; deps: keys of initiatives listed earlier.
INITIATIVES = [
    # --- vision & strategy
    _i("cx-principles", "Customer experience principles for every channel", "marketing", (V, XD), "consideration",
       ["web", "store", "phone"], 60 * K, 0, 60 * K, 1, 4, "cco",
       "Each department writes customer-facing rules its own way: customers meet different return policies, "
       "tones of voice and promises on the web, in stores and on the phone.",
       {"nps": 3, "renewal": 2}, {"nps": (1.0, 0.4), "csat": (0.5, 0.4)}),
    _i("journey-blueprints", "Service blueprints for the five most-used customer journeys", "product", (V, XD),
       "onboarding", ["web", "app", "phone", "store"], 180 * K, 0, 180 * K, 2, 6, "cco",
       "Nobody can draw the full path a customer takes to buy, set up or get help: fixes land in one channel "
       "and break the hand-off to the next.",
       {"nps": 4, "effort": 3}, {"ces": (-0.2, 0.5), "nps": (1.5, 0.4)}, contrib=["support", "logistics"]),
    _i("loyalty-renewal-offers", "Renewal offers that reward loyalty instead of new-customer discounts", "sales",
       (V, XD), "renewal", ["email", "phone", "web"], 90 * K, 0, 90 * K, 3, 6, "cro",
       "Long-standing customers see better prices offered to newcomers and call to cancel just to get them; "
       "a third of renewal calls are price complaints.",
       {"renewal": 5, "churn": 4}, {"renewal_rate": (1.2, 0.5), "churn": (-0.15, 0.4), "nps": (1.0, 0.4)},
       contrib=["finance", "marketing"]),
    _i("voc-programme", "Unified voice-of-the-customer programme across all channels", "marketing", (V, CI), "usage",
       ["web", "app", "email", "phone", "store"], 320 * K, 90 * K, 410 * K, 2, 6, "cco",
       "Four teams run their own surveys with different questions and scales; results cannot be compared and "
       "nobody closes the loop with the customers who complain.",
       {"nps": 4, "renewal": 3, "effort": 2}, {"nps": (2.0, 0.5), "renewal_rate": (0.5, 0.4)},
       partners={"panel": 0.4}, contrib=["support", "sales"]),
    _i("cx-metric-tree", "CX metric tree linking NPS, effort and churn to revenue", "finance", (V, CI), "renewal",
       [], 95 * K, 10 * K, 105 * K, 2, 5, "cfo",
       "CX results are reported beside the financials but never connected to them, so CX spending is argued "
       "on belief rather than on expected revenue retained.",
       {"renewal": 3, "cost": 3, "churn": 2}, {"renewal_rate": (0.3, 0.3), "churn": (-0.05, 0.3)},
       contrib=["marketing"]),
    _i("customer-town-halls", "Monthly 'customer in the room' town halls with real call recordings", "hr",
       (V, CM), "support", ["phone", "chat"], 25 * K, 15 * K, 40 * K, 1, 3, "cpo",
       "Most employees never hear a customer: back-office teams learn about the friction they cause only "
       "from escalation e-mails.",
       {"nps": 2, "effort": 2}, {"csat": (0.5, 0.3), "nps": (0.5, 0.3)}, contrib=["support"]),
    _i("cx-ambassadors", "CX ambassador network in every department", "hr", (V, CM), "usage",
       ["store", "phone", "web"], 70 * K, 40 * K, 110 * K, 2, 9, "cpo",
       "Customer-experience work depends on a handful of enthusiasts in support; other departments have no "
       "one who owns the customer's view in their planning.",
       {"nps": 3}, {"nps": (1.0, 0.35), "csat": (0.5, 0.35)}, contrib=["product", "logistics", "sales"],
       submit=False),
    _i("cx-governance-board", "Stand up the CX governance board and portfolio process", "product", (V, LG), "usage",
       [], 45 * K, 20 * K, 65 * K, 1, 3, "cco",
       "CX projects are funded by whoever shouts loudest in budget season; nobody compares them or checks "
       "afterwards whether they delivered.",
       {"renewal": 3, "nps": 3, "effort": 2, "churn": 2, "cost": 2}, {"nps": (0.5, 0.3)}),
    _i("journey-owners", "Executive owners for each end-to-end journey, reviewed quarterly", "sales", (V, LG),
       "renewal", ["phone", "email"], 30 * K, 0, 30 * K, 1, 6, "cro",
       "Journeys cross five departments and belong to none: when renewal fails because billing and support "
       "disagree, there is no one to decide.",
       {"renewal": 4, "churn": 3}, {"renewal_rate": (0.4, 0.4), "churn": (-0.05, 0.4)}),
    # --- employees
    _i("agent-desktop", "Agent desktop redesign with guided resolution flows", "support", (E, XD), "support",
       ["phone", "chat", "email"], 420 * K, 60 * K, 480 * K, 3, 8, "cco",
       "Agents switch between seven screens during a call and customers wait on hold while they search; "
       "new agents need four months to handle billing questions alone.",
       {"effort": 5, "nps": 3, "cost": 3}, {"ces": (-0.4, 0.6), "csat": (2.0, 0.5), "cost_to_serve": (-4.0, 0.5)},
       partners={"crm": 0.5}, contrib=["it"]),
    _i("store-journey-training", "Journey-based training for store staff on returns and repairs", "sales", (E, XD),
       "support", ["store"], 150 * K, 30 * K, 180 * K, 2, 5, "cro",
       "Customers bringing a product back to a store are sent to the phone line or the web form for anything "
       "beyond a simple exchange.",
       {"effort": 3, "nps": 3}, {"csat": (1.5, 0.5), "ces": (-0.15, 0.4)}, partners={"retail": 0.3}),
    _i("driver-handover-coaching", "Doorstep handover coaching for delivery drivers", "logistics", (E, XD),
       "purchase", ["field"], 85 * K, 25 * K, 110 * K, 3, 4, "ops",
       "One delivery complaint in four is about the handover itself: parcels left in the rain, no knock, "
       "no photo, rude refusals to carry items upstairs.",
       {"nps": 3, "churn": 2}, {"nps": (0.8, 0.4), "csat": (1.0, 0.4)}, partners={"parcel": 0.7}),
    _i("frontline-friction-log", "Frontline friction log for agents and drivers", "hr", (E, CI), "support",
       ["phone", "field"], 60 * K, 20 * K, 80 * K, 1, 4, "cpo",
       "Agents and drivers see the same failures every day but have no channel to report them; the ideas "
       "that reach head office arrive months late through managers.",
       {"effort": 3, "cost": 2}, {"ces": (-0.1, 0.4), "cost_to_serve": (-1.0, 0.3)},
       contrib=["support", "logistics"]),
    _i("engagement-cx-link", "Link the employee engagement pulse to team-level CX results", "hr", (E, CI), "usage",
       [], 40 * K, 15 * K, 55 * K, 2, 9, "cpo",
       "Engagement and customer surveys are analysed by different teams; nobody knows whether the "
       "least-engaged teams are the ones customers complain about.",
       {"nps": 2}, {"nps": (0.3, 0.25)}, submit=False),
    _i("refund-empowerment", "Let agents resolve refunds up to EUR 150 without approval", "support", (E, CM),
       "support", ["phone", "chat", "email"], 35 * K, 0, 35 * K, 3, 2, "cco",
       "Every refund, however small, needs a supervisor's approval: customers are promised a call-back that "
       "arrives two days later, and call again in between.",
       {"effort": 5, "nps": 3, "churn": 2},
       {"ces": (-0.3, 0.6), "csat": (1.5, 0.6), "cost_to_serve": (-1.5, 0.4)},
       partners={"bpo": 0.5}, contrib=["finance"]),
    _i("customer-praise-recognition", "Recognise teams named in customer praise at the monthly all-hands", "hr",
       (E, CM), "advocacy", ["social", "email"], 20 * K, 10 * K, 30 * K, 1, 3, "cpo",
       "Compliments from customers land in a shared inbox nobody reads; the teams they thank never hear of it.",
       {"nps": 2}, {"nps": (0.4, 0.3)}),
    _i("customer-first-onboarding", "Customer-first onboarding week for every new hire", "hr", (E, CM), "support",
       ["phone", "store"], 55 * K, 20 * K, 75 * K, 1, 6, "cpo",
       "New hires outside support learn systems and policies but never meet a customer or listen to a call "
       "before they change the processes customers go through.",
       {"nps": 2, "effort": 2}, {"csat": (0.5, 0.3)}, contrib=["support"], submit=False),
    _i("leaders-listen-in", "Leaders listen in: every director takes two support shifts a quarter", "support",
       (E, LG), "support", ["phone", "chat"], 10 * K, 0, 10 * K, 1, 3, "cco",
       "Directors decide on policies that generate calls without ever hearing those calls.",
       {"nps": 2, "effort": 3}, {"nps": (0.3, 0.3), "ces": (-0.05, 0.3)}),
    _i("cx-goals-in-objectives", "CX targets in every manager's objectives and bonus", "hr", (E, LG), "renewal",
       [], 40 * K, 0, 40 * K, 3, 12, "cpo",
       "Managers are measured on cost and output only; when a CX fix costs their department money, it loses.",
       {"renewal": 4, "nps": 4, "churn": 3}, {"renewal_rate": (0.6, 0.3), "nps": (1.0, 0.3)},
       contrib=["finance"]),
    # --- operations (delivery first: later initiatives depend on it)
    _i("delivery-windows", "Two-hour delivery windows with live tracking", "logistics", (O, XD), "purchase",
       ["web", "app", "email"], 520 * K, 120 * K, 640 * K, 4, 9, "ops",
       "Customers wait at home all day for a parcel; 'where is my order?' is the single largest contact "
       "reason (22 % of calls).",
       {"nps": 4, "churn": 2, "cost": 3},
       {"nps": (2.5, 0.5), "csat": (2.0, 0.5), "cost_to_serve": (-3.0, 0.5)}, partners={"parcel": 0.6}),
    _i("one-step-returns", "One-step returns in store and by courier, no receipt hunt", "logistics", (O, XD),
       "support", ["web", "store", "partner"], 380 * K, 45 * K, 425 * K, 3, 7, "ops",
       "A return needs the original receipt, a printed label and a trip to a depot; 40 % of returners call "
       "us at least once and many do not buy again.",
       {"effort": 5, "nps": 3, "churn": 2},
       {"ces": (-0.35, 0.6), "nps": (2.0, 0.5), "churn": (-0.1, 0.4), "cost_to_serve": (-3.0, 0.4)},
       partners={"parcel": 0.3, "retail": 0.2}, contrib=["sales"]),
    _i("plain-language-billing", "Plain-language invoices and bill-shock alerts", "finance", (O, XD), "usage",
       ["email", "app", "mail"], 210 * K, 30 * K, 240 * K, 2, 6, "cfo",
       "Invoices list internal tariff codes; a surprise bill is the top reason for cancelling in the first "
       "year and for disputes that take weeks to settle.",
       {"effort": 3, "churn": 4, "cost": 3},
       {"churn": (-0.15, 0.5), "ces": (-0.2, 0.5), "cost_to_serve": (-2.0, 0.5)},
       partners={"pay": 0.3}, contrib=["product"]),
    _i("delay-notifications", "Proactive delay notifications before the customer has to ask", "logistics", (O, XD),
       "purchase", ["email", "app", "phone"], 130 * K, 25 * K, 155 * K, 2, 4, "ops",
       "When a delivery slips, customers find out by waiting; they then call, and the agent sees no more "
       "than they do.",
       {"effort": 4, "nps": 3}, {"ces": (-0.2, 0.5), "cost_to_serve": (-2.0, 0.5), "nps": (1.0, 0.4)},
       partners={"parcel": 0.4}, deps=["delivery-windows"]),
    _i("contact-reasons", "Contact-reason analytics: why customers call, tagged automatically", "support", (O, CI),
       "support", ["phone", "chat", "email"], 260 * K, 50 * K, 310 * K, 2, 5, "cco",
       "Agents pick a contact reason from a list of 140 at the end of each call; half pick 'other', so we do "
       "not know which failures drive demand.",
       {"effort": 4, "cost": 4}, {"ces": (-0.15, 0.5), "cost_to_serve": (-3.0, 0.5)},
       partners={"crm": 0.3}, contrib=["it"]),
    _i("delivery-pulse", "Two-question pulse survey after every delivery", "logistics", (O, CI), "purchase",
       ["email", "app"], 45 * K, 15 * K, 60 * K, 1, 3, "ops",
       "We learn about delivery problems only from complaints, weeks later and from the angriest customers.",
       {"nps": 2}, {"csat": (0.5, 0.3), "nps": (0.3, 0.3)}, partners={"panel": 0.5}),
    _i("fcr-over-aht", "First-contact resolution over handle time: new agent KPIs", "support", (O, CM), "support",
       ["phone", "chat"], 120 * K, 0, 120 * K, 3, 6, "cco",
       "Agents and the outsourced centre are paid on short calls, so customers are transferred or told to call "
       "back; 31 % of issues need a second contact.",
       {"effort": 5, "cost": 2},
       {"ces": (-0.3, 0.5), "csat": (1.5, 0.5), "cost_to_serve": (1.0, 0.4)}, partners={"bpo": 0.6}),
    _i("picker-last-look", "Warehouse 'last look' quality check owned by pickers", "logistics", (O, CM), "purchase",
       ["field"], 65 * K, 10 * K, 75 * K, 2, 4, "ops",
       "Wrong or damaged items reach 1.8 % of orders; pickers are measured on speed and never see the "
       "complaints.",
       {"nps": 2, "churn": 1}, {"csat": (0.8, 0.4), "cost_to_serve": (-0.5, 0.4)}),
    _i("partner-outcome-slas", "Partner SLAs on customer outcomes, reviewed quarterly", "logistics", (O, LG),
       "support", ["partner"], 70 * K, 20 * K, 90 * K, 2, 6, "ops",
       "Our partners' contracts measure volumes and uptime, not whether customers' problems get solved.",
       {"nps": 3, "effort": 3, "churn": 2}, {"csat": (1.0, 0.4), "nps": (0.8, 0.4)},
       partners={"parcel": 0.2, "bpo": 0.2, "pay": 0.1}, contrib=["finance"]),
    _i("root-cause-council", "Complaint root-cause council with fix owners and deadlines", "support", (O, LG),
       "support", ["phone", "email", "social"], 40 * K, 30 * K, 70 * K, 1, 4, "cco",
       "The same complaints come back every quarter because fixes have no owner outside support.",
       {"effort": 4, "churn": 3, "nps": 2}, {"ces": (-0.15, 0.5), "churn": (-0.05, 0.4)},
       contrib=["product", "logistics", "finance"]),
    # --- technology (the data platform and knowledge base first: others depend on them)
    _i("customer-data-platform", "Customer data platform: one customer view across web, store and phone", "it",
       (T, CI), "usage", ["web", "app", "store", "phone", "email"], 1150 * K, 220 * K, 1370 * K, 4, 12, "cto",
       "Customer records live in six systems; an agent cannot see a web order, a store return and an open "
       "complaint together, and customers repeat themselves at every contact.",
       {"renewal": 4, "churn": 4, "nps": 3, "cost": 3},
       {"renewal_rate": (1.0, 0.4), "churn": (-0.15, 0.4), "cost_to_serve": (-2.0, 0.4)},
       partners={"crm": 0.5}, contrib=["marketing", "support", "sales"]),
    _i("nps-dashboards", "Real-time NPS and effort dashboards per journey and channel", "it", (T, CI), "usage",
       ["web", "app", "phone", "store"], 160 * K, 40 * K, 200 * K, 2, 4, "cco",
       "Survey results reach managers as a quarterly slide deck, long after the problems they describe.",
       {"nps": 3, "effort": 3}, {"nps": (0.5, 0.3), "ces": (-0.05, 0.3)},
       deps=["voc-programme", "customer-data-platform"], contrib=["marketing"]),
    _i("speech-analytics", "Speech analytics on recorded support calls", "support", (T, CI), "support", ["phone"],
       290 * K, 70 * K, 360 * K, 3, 7, "cco",
       "We record every call and listen to under 1 % of them; quality reviews pick calls at random.",
       {"effort": 4, "cost": 3}, {"ces": (-0.2, 0.5), "cost_to_serve": (-2.5, 0.4)}, partners={"bpo": 0.3},
       contrib=["it"], submit=False),
    _i("knowledge-base", "One agent knowledge base, owned by the teams that know the answers", "support", (T, CM),
       "support", ["phone", "chat", "email"], 140 * K, 35 * K, 175 * K, 2, 5, "cco",
       "Agents keep private notes because the wiki has three contradictory answers to common questions; "
       "customers get different answers depending on who picks up.",
       {"effort": 4, "cost": 3}, {"ces": (-0.2, 0.5), "csat": (1.0, 0.5), "cost_to_serve": (-2.0, 0.4)},
       contrib=["product", "hr"]),
    _i("self-service-portal", "Self-service account portal: change plan, address and payment online", "product",
       (T, XD), "usage", ["web", "app"], 780 * K, 140 * K, 920 * K, 4, 10, "cto",
       "Changing an address or a payment method needs a phone call; these simple requests are 18 % of "
       "contacts and the most common reason for waiting on hold.",
       {"effort": 5, "cost": 5, "churn": 3},
       {"ces": (-0.5, 0.5), "cost_to_serve": (-8.0, 0.5), "churn": (-0.1, 0.4)},
       partners={"crm": 0.4, "pay": 0.2}, contrib=["it", "finance"]),
    _i("chatbot-handoff", "Chatbot with a clean hand-off to a person, context kept", "support", (T, XD), "support",
       ["chat", "web", "app"], 350 * K, 90 * K, 440 * K, 4, 8, "cto",
       "The current chatbot answers only opening hours and dead-ends everything else; customers then start "
       "again on the phone from scratch.",
       {"effort": 4, "cost": 5}, {"cost_to_serve": (-6.0, 0.5), "ces": (-0.2, 0.4), "csat": (-0.5, 0.3)},
       partners={"crm": 0.3}, deps=["contact-reasons", "knowledge-base"], contrib=["it"]),
    _i("guided-app-onboarding", "Guided first-week onboarding in the mobile app", "product", (T, XD), "onboarding",
       ["app", "email"], 240 * K, 30 * K, 270 * K, 3, 6, "cto",
       "A quarter of new customers never finish setting up; they are the ones who cancel in month two.",
       {"churn": 4, "nps": 3, "renewal": 2}, {"churn": (-0.2, 0.5), "nps": (1.5, 0.4)}),
    _i("churn-early-warning", "Churn early-warning model with a save-desk playbook", "sales", (O, CI), "renewal",
       ["phone", "email"], 300 * K, 60 * K, 360 * K, 3, 6, "cro",
       "We learn a customer is leaving when the cancellation arrives; warning signs (failed payments, repeat "
       "contacts, falling usage) sit unused in three systems.",
       {"churn": 5, "renewal": 5}, {"churn": (-0.25, 0.5), "renewal_rate": (1.5, 0.5)},
       deps=["customer-data-platform"], contrib=["it"]),
    _i("tools-feedback", "Employees rate the systems they serve customers with", "it", (T, CM), "support", [],
       35 * K, 10 * K, 45 * K, 1, 4, "cto",
       "Slow and broken internal tools are the agents' top complaint, but IT's backlog is ordered by ticket "
       "age, not by the customer time lost.",
       {"effort": 2}, {"ces": (-0.05, 0.3)}, contrib=["hr"], submit=False),
    _i("portfolio-tooling", "Portfolio tooling for CX initiatives: ranking, decisions and an audit trail", "it",
       (T, LG), "usage", [], 120 * K, 25 * K, 145 * K, 2, 3, "cfo",
       "CX proposals live in spreadsheets e-mailed before each budget meeting; decisions and their reasons "
       "are lost by the next quarter.",
       {"renewal": 2, "cost": 2}, {"cost_to_serve": (-0.5, 0.2)}, contrib=["finance"]),
    _i("consent-governance", "Customer data governance and consent management", "it", (T, LG), "consideration",
       ["web", "app", "email"], 260 * K, 45 * K, 305 * K, 3, 8, "cto",
       "Marketing cannot tell which customers agreed to be contacted about what, so it either over-mails or "
       "stays silent; opt-out complaints doubled last year.",
       {"renewal": 2, "churn": 2}, {"churn": (-0.05, 0.3), "nps": (0.3, 0.3)},
       partners={"crm": 0.2, "panel": 0.1}, contrib=["marketing", "sales"]),
]

ROUND = dict(name="FY2027 Q1 CX portfolio", fiscal_year=2027, fiscal_quarter=1,
             description="First funded round of the CX transformation: foundations first (governance, "
                         "customer insight, data), then the journeys customers complain about most.")
#: The budget funds about a third of what the round is asked for, rounded to EUR 10,000.
BUDGET_SHARE = 1 / 3


def requested_in_round():
    return sum(spec["requested_amount"] for spec in INITIATIVES if spec["submit"])


def round_budget():
    step = 10_000 * CENTS
    return int(round(requested_in_round() * BUDGET_SHARE / step)) * step


# ---------------------------------------------------------------- loading
def existing_records():
    """Counts of the record kinds the demo would create, for the kinds already present."""
    kinds = [("teams", Team), ("users", User), ("initiatives", Initiative), ("metrics", Metric),
             ("objectives", Objective), ("partners", Partner), ("rounds", Round)]
    counts = {}
    for label, model in kinds:
        n = model.select().count()
        if n:
            counts[label] = n
    return counts


def _actor(user):
    return Actor(user_id=user.id, email=user.email, role=user.role, team_id=user.team_id)


def load(ttl_days=90):
    """Create the whole dataset in one transaction (all or nothing); return what the CLI prints."""
    with write_transaction():
        return _load(ttl_days)


def _load(ttl_days):
    # People first: the admin is created by the system, everyone else by the admin.
    role, name, email = PEOPLE[0]
    admin = auth.create_user(SYSTEM, email, name, role)
    as_admin = _actor(admin)

    team = {}
    for key, (name, department, customer_facing, lead_name, lead_email) in TEAMS.items():
        team[key] = teams.create_team(as_admin, name=name, department=department, customer_facing=customer_facing,
                                      lead_name=lead_name, lead_email=lead_email)
    users = {"admin": [admin]}
    for role, name, email in PEOPLE[1:]:
        users.setdefault(role, []).append(auth.create_user(as_admin, email, name, role))
    lead = {}
    for key, (_, _, _, lead_name, lead_email) in TEAMS.items():
        lead[key] = auth.create_user(as_admin, lead_email, lead_name, "team_lead", team[key].id)
        users.setdefault("team_lead", []).append(lead[key])
    sponsor = {key: auth.create_user(as_admin, email, f"{name} ({title})", "viewer")
               for key, (name, email, title) in SPONSORS.items()}

    # The catalog: metrics, objectives, partners and their assessments.
    metric = {spec["key"]: metrics.create_metric(as_admin, **spec) for spec in METRICS}
    objective = {}
    for key, (title, description, metric_key, baseline, target, deadline, weight) in OBJECTIVES.items():
        objective[key] = metrics.create_objective(as_admin, title=title, description=description,
                                                  metric_id=metric[metric_key].id, baseline=baseline,
                                                  target=target, deadline=deadline, weight=weight)
    partner = {}
    for key, (name, kind, description, assessments) in PARTNERS.items():
        partner[key] = partners.create_partner(as_admin, name=name, kind=kind, description=description)
        for on, vision, data, process, feedback, note, by in assessments:
            partners.create_assessment(as_admin, partner[key].id, assessed_on=on, shared_vision=vision,
                                       data_sharing=data, process_integration=process,
                                       feedback_responsiveness=feedback, note=note, assessed_by=by)

    finance = users["finance"][0]
    past = _past_round(as_admin, finance, users["board_chair"][0], users["board_member"], lead, team, sponsor,
                       objective, metric)

    # Finance opens the envelope; the admin opens the round for submissions.
    rnd = rounds.create_round(_actor(finance), budget=round_budget(), **ROUND)
    rnd = rounds.move_round(as_admin, rnd.id, "open")

    # Each team lead drafts their team's initiatives and submits most of them.
    created = {}
    for spec in INITIATIVES:
        owner = lead[spec["team"]]
        as_lead = _actor(owner)
        data = {
            "title": spec["title"], "problem_statement": spec["problem_statement"],
            "team_id": team[spec["team"]].id, "owner_id": owner.id, "sponsor_id": sponsor[spec["sponsor"]].id,
            "focus_area": spec["focus_area"], "building_block": spec["building_block"],
            "journey_stage": spec["journey_stage"], "channels": spec["channels"],
            "one_time_cost": spec["one_time_cost"], "annual_cost": spec["annual_cost"],
            "requested_amount": spec["requested_amount"], "risk": spec["risk"],
            "months_to_value": spec["months_to_value"],
            "objectives": [{"objective_id": objective[k].id, "alignment": a} for k, a in spec["objectives"].items()],
            "impacts": [{"metric_id": metric[k].id, "expected_change": change, "confidence": confidence}
                        for k, (change, confidence) in spec["impacts"].items()],
            "partners": [{"partner_id": partner[k].id, "share": s} for k, s in spec["partners"].items()],
            "dependency_ids": [created[k].id for k in spec["deps"]],
            "contributing_team_ids": [team[k].id for k in spec["contrib"]],
        }
        record = initiatives.create_initiative(as_lead, data)
        if spec["submit"]:
            record = initiatives.transition(as_lead, record.id, "submitted", round_id=rnd.id)
        created[spec["key"]] = record

    # A token for every demo user who acts: the admin, the chair, every board member (a quorum
    # needs three of the four), one team lead per team, finance and the viewer.  The first user
    # of each role keeps the plain name (CXGOV_TOKEN_BOARD_MEMBER, CXGOV_TOKEN_TEAM_LEAD).
    printed = []
    team_key = {t.id: key for key, t in team.items()}
    for role in ROLES_PRINTED:
        for n, user in enumerate(users[role]):
            if role == "team_lead":
                name = "team_lead" if n == 0 else f"team_lead_{team_key[user.team_id]}"
            else:
                name = role if n == 0 else f"{role}_{n + 1}"
            _, secret = auth.issue_token(as_admin, user.id, "demo", ttl_days)
            printed.append({"role": role, "name_in_env": name, "user_id": user.id, "name": user.name,
                            "email": user.email, "team": next((t.name for t in team.values() if t.id == user.team_id), ""),
                            "token": secret})

    submitted = [spec for spec in INITIATIVES if spec["submit"]]
    return {
        "teams": len(team),
        "users": sum(len(v) for v in users.values()) + len(sponsor),
        "metrics": len(metric),
        "objectives": len(objective),
        "partners": len(partner),
        "initiatives": len(created),
        "submitted": len(submitted),
        "drafts": len(created) - len(submitted),
        "cells": len({(s["focus_area"], s["building_block"]) for s in INITIATIVES}),
        "round_id": rnd.id,
        "round_name": rnd.name,
        "budget": rnd.budget,
        "requested": requested_in_round(),
        "team_lead_team_id": users["team_lead"][0].team_id,
        "past_round_id": past.id,
        "reviewed": sum(1 for *_, realized in PAST_INITIATIVES if realized is not None),
        "tokens": printed,
    }


# ---------------------------------------------------------------- a past round, delivered and reviewed
# So that the closed loop is visible on the first run: last year's round funded five
# initiatives; they were delivered and reviewed.  Digital Product realized about half of what
# it claimed (three reviews), Customer Support about what it claimed (one review), and one
# Logistics initiative is delivered but not yet reviewed.
PAST_ROUND = dict(name="FY2026 Q2 CX portfolio", fiscal_year=2026, fiscal_quarter=2, budget=1_500_000 * CENTS,
                  description="Last year's round: delivered and reviewed (the closed loop's evidence).")
# (team, title, problem, cell, stage, channels, one-time, annual, requested, risk, months,
#  objectives {key: alignment}, impacts {metric: (expected, confidence)}, realized {metric: change} or None)
PAST_INITIATIVES = [
    ("product", "Saved carts across app and web",
     "Customers who start a basket on the web cannot finish it in the app; 30 % of mobile sessions restart from zero.",
     ("technology", "experience_design_operations"), "purchase", ["web", "app"], 240 * K, 30 * K, 240 * K, 2, 4,
     {"nps": 3}, {"nps": (4.0, 0.7), "csat": (2.0, 0.6)}, {"nps": 2.1, "csat": 0.9}),
    ("product", "One-tap reorder for repeat buyers",
     "Repeat buyers rebuild the same order by hand every month; the app has no order history shortcut.",
     ("operations", "experience_design_operations"), "usage", ["app"], 180 * K, 20 * K, 180 * K, 2, 3,
     {"nps": 2}, {"nps": (3.0, 0.6), "renewal_rate": (1.0, 0.5)}, {"nps": 1.4, "renewal_rate": 0.5}),
    ("product", "In-app order tracking timeline",
     "Customers cannot see where an order is without calling; 'where is my order' is 22 % of support contacts.",
     ("technology", "customer_insights_metrics"), "support", ["app", "web"], 300 * K, 40 * K, 300 * K, 3, 6,
     {"nps": 4}, {"nps": (5.0, 0.7), "ces": (-0.4, 0.6)}, {"nps": 2.6, "ces": -0.2}),
    ("support", "Callback instead of queueing",
     "Callers wait 11 minutes on average at peak; a third abandon and call again later.",
     ("operations", "culture_management"), "support", ["phone"], 150 * K, 25 * K, 150 * K, 2, 3,
     {"nps": 3}, {"csat": (3.0, 0.7), "ces": (-0.3, 0.6)}, {"csat": 3.1, "ces": -0.3}),
    ("logistics", "Two-hour delivery windows",
     "Customers must stay home all day for a delivery; failed first attempts cost a second trip.",
     ("operations", "experience_design_operations"), "purchase", ["web", "app"], 260 * K, 50 * K, 260 * K, 3, 5,
     {"nps": 2}, {"nps": (2.0, 0.6), "cost_to_serve": (-3.0, 0.5)}, None),
]
#: NPS, monthly relationship survey means for 2026 (the measurements behind the metric).
NPS_2026 = [18.2, 18.0, 18.9, 19.4, 19.1, 20.3, 21.0, 21.6, 21.2, 22.4, 22.9]
MATURITY = dict(assessed_on=dt.date(2026, 9, 30), note="Self-assessment by the CX office, reviewed by the board",
                levels={"cx_strategy": 3, "customer_understanding": 2, "design": 2, "measurement": 2,
                        "governance": 3, "culture": 2})


def _past_round(as_admin, finance, chair, members, lead, team, sponsor, objective, metric):
    """Fund, deliver and review last year's round through the services, as the people would."""
    past = rounds.create_round(_actor(finance), **PAST_ROUND)
    rounds.move_round(as_admin, past.id, "open")
    done = []
    for (team_key, title, problem, cell, stage, channels, one_time, annual, requested, risk, months,
         objectives, impacts, realized) in PAST_INITIATIVES:
        as_lead = _actor(lead[team_key])
        record = initiatives.create_initiative(as_lead, {
            "title": title, "problem_statement": problem, "team_id": team[team_key].id,
            "owner_id": lead[team_key].id, "sponsor_id": next(iter(sponsor.values())).id,
            "focus_area": cell[0], "building_block": cell[1], "journey_stage": stage, "channels": channels,
            "one_time_cost": one_time * CENTS, "annual_cost": annual * CENTS,
            "requested_amount": requested * CENTS, "risk": risk, "months_to_value": months,
            "objectives": [{"objective_id": objective[k].id, "alignment": a} for k, a in objectives.items()],
            "impacts": [{"metric_id": metric[k].id, "expected_change": e, "confidence": c}
                        for k, (e, c) in impacts.items()],
        })
        initiatives.transition(as_lead, record.id, "submitted", round_id=past.id)
        done.append((record, team_key, realized))
    rounds.move_round(_actor(chair), past.id, "in_review")
    for record, team_key, realized in done:
        for member in members + [chair]:
            governance.cast_vote(_actor(member), past.id, record.id, "approve", "clear customer evidence")
        governance.decide(_actor(chair), past.id, {
            "initiative_id": record.id, "outcome": "approve", "approved_amount": record.requested_amount,
            "rationale": "Approved at the Q2 2026 board", "accountable_owner_id": lead[team_key].id,
            "due_date": dt.date(2026, 12, 31), "conditions": ""})
    rounds.move_round(_actor(chair), past.id, "decided")
    rounds.move_round(as_admin, past.id, "closed")
    for record, team_key, realized in done:
        as_lead = _actor(lead[team_key])
        initiatives.transition(as_lead, record.id, "in_progress")
        initiatives.transition(as_lead, record.id, "delivered")
        if realized is not None:
            closed_loop.record_review(as_lead, record.id, {
                "lessons_learned": "Realized change measured over the two quarters after launch.",
                "realized": [{"metric_id": metric[k].id, "realized_change": v} for k, v in realized.items()]})
    rows = [{"measured_at": dt.datetime(2026, month, 28, tzinfo=dt.timezone.utc), "value": value, "segment": None,
             "channel": None} for month, value in enumerate(NPS_2026, start=1)]
    metrics.record_measurements(as_admin, metric["nps"].id, rows)
    closed_loop.record_maturity(as_admin, MATURITY)
    return past


# ---------------------------------------------------------------- output
def money(cents, currency):
    return f"{currency} {cents // CENTS:,}" + (f".{cents % CENTS:02d}" if cents % CENTS else "")


def summary(result, currency="EUR"):
    share = result["budget"] / result["requested"] if result["requested"] else 0
    return "\n".join([
        "cxgov demo loaded:",
        f"  {result['teams']} teams, {result['users']} users, {result['metrics']} metrics, "
        f"{result['objectives']} objectives, {result['partners']} partners",
        f"  {result['initiatives']} initiatives over {result['cells']}/16 grid cells: "
        f"{result['submitted']} submitted, {result['drafts']} drafts",
        f"  round {result['round_id']} '{result['round_name']}' (open): budget {money(result['budget'], currency)} "
        f"for {money(result['requested'], currency)} requested ({share:.0%})",
    ])


def token_table(result):
    rows = [("role", "user", "team", "variable", "token")]
    rows += [(t["role"], f"{t['name']} <{t['email']}>", t["team"] or "-", f"CXGOV_TOKEN_{t['name_in_env'].upper()}",
              t["token"]) for t in result["tokens"]]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join("  ".join(f"{r[i]:<{widths[i]}}" for i in range(4)) + f"  {r[4]}" for r in rows)


def tokens_env(result):
    lines = ["# cxgov demo tokens: `source` this file, then use $CXGOV_TOKEN_<ROLE> in curl.",
             "# Each token is shown only here; revoke with DELETE /api/v1/tokens/{id}."]
    for t in result["tokens"]:
        lines.append(f"# {t['name']} <{t['email']}>" + (f", lead of {t['team']}" if t["team"] else ""))
        lines.append(f"export CXGOV_TOKEN_{t['name_in_env'].upper()}={t['token']}")
    lines.append(f"export CXGOV_DEMO_ROUND_ID={result['round_id']}")
    lines.append(f"export CXGOV_DEMO_TEAM_ID={result['team_lead_team_id']}")
    return "\n".join(lines) + "\n"
