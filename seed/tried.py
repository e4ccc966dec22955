"""Demo only: what councils say they have tried, for each issue type of the catalogue.

Written for the demo after the kinds of action English councils describe in public adult
social care material: LGA and ADASS case studies, SCIE and Think Local Act Personal
guidance, the NHS and LGA hospital discharge guidance, CQC local authority assessment
reports. No text names or singles out a council: peers read them without attribution.
"""

from __future__ import annotations

TRIED_BY_ISSUE_TYPE: dict[str, tuple[str, ...]] = {
    "slow-direct-payments": (
        "Pre-paid cards replaced separate bank accounts, and the yearly audit now samples "
        "one account in ten instead of checking every return.",
        "A peer-support service run by a user-led organisation: people who already employ "
        "personal assistants help new recipients recruit their first one.",
        "A register of personal assistants with free DBS checks and a matching website, so "
        "people can find a PA without placing their own advert.",
        "Social workers raise a direct payment as the first option at every assessment and "
        "review, with a one-page explainer and a named adviser to call.",
        "Individual service funds through three home-care providers, for people who want "
        "choice without becoming an employer.",
        "Cut the direct-payment agreement from 14 pages to 4, rewritten with people who use "
        "direct payments.",
        "A payroll and employer's liability insurance service paid for by the council, so "
        "recipients no longer deal with HMRC themselves.",
        "Published when a close relative living in the same household can be paid from a "
        "direct payment, and how to ask.",
    ),
    "social-worker-recruitment": (
        "An Assessed and Supported Year in Employment with protected caseloads, so newly "
        "qualified social workers stay past their first year.",
        "A social work degree apprenticeship for social work assistants already on our "
        "staff, with the university fees paid.",
        "A market supplement for experienced social workers in hard-to-fill teams, reviewed "
        "each year against neighbouring councils' pay.",
        "Signed the regional agreement capping agency pay rates, and offered long-standing "
        "locums permanent posts.",
        "Independent exit interviews showed caseloads and travel drove leavers: we moved to "
        "patch-based teams with a caseload cap.",
        "International recruitment with relocation support, a buddy and a 12-week induction "
        "on the Care Act and local practice.",
        "A career pathway led by the principal social worker, from newly qualified to "
        "advanced practitioner, with practice-educator roles.",
        "Hybrid working and compressed hours offered in every advert; applications per post "
        "roughly doubled.",
    ),
    "assessment-waiting-lists": (
        "Weekly triage of the waiting list by a senior practitioner, with a call to everyone "
        "who has waited more than four weeks.",
        "A three-conversations model at the front door: many requests are met at the first "
        "conversation without a full assessment.",
        "Trusted assessors in reablement complete proportionate assessments for simple "
        "equipment and care needs.",
        "Online self-assessment for people who want it, checked by a social care worker "
        "within five working days.",
        "A time-limited team working through the oldest cases first while the front door "
        "was redesigned.",
        "Assessments for minor adaptations moved to the community equipment service under a "
        "trusted assessor agreement.",
        "A waiting-well offer: a named contact, what to do if things change, and a monthly "
        "check-in call.",
        "Split the list by complexity, so reviews of stable care packages no longer queue "
        "behind new assessments.",
    ),
    "delayed-discharge": (
        "A discharge-to-assess pathway agreed with the hospital trust: people go home with a "
        "short package and are assessed there within 72 hours.",
        "Block-booked step-down beds in two care homes, with a therapist visiting daily, for "
        "people not yet ready to go home.",
        "A transfer of care hub in the acute trust, where council, NHS and voluntary sector "
        "staff agree each person's pathway every day.",
        "Bridging care from a rapid-response home-care team until a long-term provider is "
        "found, instead of waiting in hospital.",
        "A home-from-hospital service from a local charity: transport home, a settling-in "
        "visit, shopping and a follow-up call.",
        "Care homes accept a trusted assessment from ward staff instead of sending their own "
        "assessor before agreeing to a placement.",
        "Hospital social workers and brokerage now work seven days, so discharges are not "
        "held over the weekend.",
        "Used the discharge fund to pay home-care providers a retainer for hours kept free "
        "for people leaving hospital.",
    ),
    "home-care-market": (
        "Fee rates built from a cost of care exercise with providers, with travel time and "
        "mileage paid.",
        "Home-care contracts zoned by area so each provider runs compact rounds with less "
        "travel between visits.",
        "Providers paid on planned hours rather than minutes logged by electronic call "
        "monitoring, in return for reporting outcomes.",
        "A care academy offering free induction and the Care Certificate to new care workers "
        "of every provider in the area.",
        "A higher hourly rate for providers that offer care workers guaranteed-hours contracts.",
        "A micro-enterprise programme helping local people set up small care businesses in "
        "rural villages that agencies do not reach.",
        "A market position statement and quarterly provider meetings, with early warning of "
        "providers at risk of leaving.",
        "The Real Living Wage for care workers written into new home-care contracts and "
        "funded in the annual fee uplift.",
    ),
    "carers-assessment-backlog": (
        "Commissioned the carers' centre to carry out carers' assessments on our behalf, "
        "with the council signing off support plans.",
        "Carers' assessments by phone or video in the evening, for carers who work during the day.",
        "Joint assessments of the carer and the person they care for where both agree, so "
        "the carer does not wait for a second appointment.",
        "A one-off carer's grant for a break or equipment, agreed at the first conversation "
        "without waiting for a full assessment.",
        "Carers' champions in GP practices who identify carers and refer them straight to "
        "the carers' assessment service.",
        "A self-assessment form for carers, online and on paper, followed by a call within "
        "ten working days.",
        "Cleared the backlog with a temporary team; carers' waiting times now go to the "
        "scrutiny committee every quarter.",
        "An emergency card scheme for carers, with a contingency plan that arranges "
        "replacement care if the carer is taken ill.",
    ),
    "reablement-capacity": (
        "Brought reablement back in-house and recruited support workers who also cover "
        "bridging care.",
        "Therapy-led reablement: an occupational therapist sets goals at the first visit and "
        "reviews them weekly.",
        "Reablement rotas over seven days from 7am to 10pm, so new starts are not held over "
        "the weekend.",
        "An agreement that a provider takes on long-term care within 48 hours of reablement "
        "ending, freeing reablement hours.",
        "Falls sensors and medication dispensers as part of the reablement offer, so fewer "
        "daily visits are needed.",
        "Reablement offered to people referred by GPs and community nurses, not only after "
        "a hospital stay.",
        "Used outcomes at 91 days to make the case for pooling more Better Care Fund money "
        "into reablement hours.",
        "A single point of access for intermediate care, screening reablement and NHS "
        "rehabilitation referrals together.",
    ),
    "care-home-admissions": (
        "Every permanent admission of someone over 65 goes to a weekly panel that asks which "
        "community support was tried first.",
        "No decisions about a permanent care home are made in hospital: people go home or to "
        "a short-stay bed first and decide after recovery.",
        "Extra care housing schemes built with housing associations, with care on site, as "
        "an alternative to residential care.",
        "A night-time home-care and rapid-response service, so people who need help "
        "overnight can stay at home.",
        "Shared Lives placements for older people, with carers recruited through a local campaign.",
        "Short-term placements reviewed at four weeks by a social worker and a therapist "
        "before any decision about a permanent move.",
        "Dementia support workers who work with families from diagnosis, so crises that end "
        "in admission are seen earlier.",
        "Day opportunities and sitting services for carers of people with dementia, to delay "
        "a move into a care home.",
    ),
    "information-and-advice": (
        "Rewrote the adult social care web pages in plain English with people who use "
        "services, starting from the questions the contact centre hears most.",
        "A community directory of local groups and services kept up to date by the "
        "voluntary sector infrastructure body.",
        "Community hubs in libraries where people can talk to a care navigator without an "
        "appointment.",
        "An online care cost calculator, so people can see what they may pay before an assessment.",
        "Easy-read and translated versions of the main leaflets, produced with a local "
        "advocacy group.",
        "Library and customer service staff trained as first contacts for information and "
        "advice, with a direct line to the social care front door.",
        "Social prescribing link workers in primary care networks who point people to "
        "council and community services.",
        "One information line for carers, run by the carers' centre, with a call back "
        "within one working day.",
    ),
    "transitions": (
        "A preparing-for-adulthood team working with young people from 14, with a named "
        "adult social care worker before they turn 18.",
        "A transitions protocol signed by children's services, adult social care, health "
        "and education, with a shared list of young people from year 9.",
        "A monthly transitions panel that agrees each young person's funding six months "
        "before their 18th birthday.",
        "Care Act assessments started before 18 for young people likely to need adult care, "
        "as the Act allows.",
        "Supported internships with local employers for young people with learning "
        "disabilities leaving college.",
        "Direct payments from children's services continue unchanged for six months after "
        "18 while the adult assessment is completed.",
        "A guide to what changes at 18, written with young people and families, in plain "
        "English and easy read.",
        "Short breaks for 18 to 25 year olds, so families keep their respite through the "
        "move to adult services.",
    ),
}
