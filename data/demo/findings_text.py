"""Hand-written wording for demo findings: ~40 underlying problems, each said many ways.

Real LAs describe the same problem in their own words, abbreviations and typos, and some
different problems sound alike. The demo needs both so that matching findings into candidate
requirements is exercised honestly. Problem ids live only here (for tests), never in files.

In the bank, "# " starts a problem, "- " is one phrasing of it, "> " a suggested change, and an
indented line continues the previous one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def pick(rng: np.random.Generator, options: Sequence[T]) -> T:
    """One element of a short sequence (much faster than Generator.choice for Python lists)."""
    return options[int(rng.integers(len(options)))]


@dataclass(frozen=True)
class Problem:
    """One underlying problem; the first theme, area and category are the usual labels."""

    pid: str
    themes: tuple[str, ...]
    areas: tuple[str, ...]
    categories: tuple[str, ...]
    product: str | None  # None: every supplier's users meet it
    severity: str
    phrasings: tuple[str, ...]
    suggestions: tuple[str, ...]
    near: str | None = None  # the problem this one is easily confused with


def _parse(bank: str) -> tuple[Problem, ...]:
    """Read the bank below into Problems (header: id | themes | areas | categories | product |
    severity | near-miss of)."""
    problems: list[Problem] = []
    head: list[str] = []
    texts: dict[str, list[str]] = {"-": [], ">": []}
    target: list[str] = texts["-"]

    def flush() -> None:
        if head:
            pid, themes, areas, cats, product, severity, *near = head
            problems.append(Problem(pid, tuple(themes.split()), tuple(areas.split()),
                                    tuple(cats.split()), None if product == "*" else product,
                                    severity, tuple(texts["-"]), tuple(texts[">"]),
                                    near[0] if near else None))  # fmt: skip

    for raw in bank.splitlines():
        line = raw.strip()
        if line.startswith("# "):
            flush()
            head = [part.strip() for part in line[2:].split("|")]
            texts = {"-": [], ">": []}
        elif line[:2] in ("- ", "> "):
            target = texts[line[0]]
            target.append(line[2:])
        elif line and not line.startswith("##"):
            target[-1] += " " + line
    flush()
    return tuple(problems)


_BANK = """
## common to every supplier
# C01 | SPD ACC | general | technical supplier | * | high
- Session times out after 20 minutes and any unsaved work is lost.
- Workers lose whole assessments when the system logs them out without warning.
- Timed out while typing up a home visit - lost 2 hours of recording!!
- If you take a phone call from a family and come back to the screen you have been logged out
  and everything you typed has gone.
- Time-outs: no autosave, so staff type into Word first and paste in.
- The session expires too quickly and there is no warning; work in progress is not saved.
- Loss of work on time out. SWs now press save every few mins out of habit.
- Logged out mid-record and the text is not recoverable
> Warn before the session ends and save a draft automatically.
> Autosave drafts every few minutes and keep them after a time-out.
> Lengthen the time-out while someone is typing and never throw away unsaved text.
# C02 | DUP | general referral | supplier | * | high
- The same information has to be typed into the referral, the initial assessment and the core
  assessment.
- Staff re-key family details on every form; nothing carries forward.
- Duplicate data entry - address, household members and reason for referral entered 3 or 4 times.
- "I write the same thing four times" (social worker, CIN team)
- Data entered at contact isn't pulled through to the IA so workers type it all again.
- Far too much repetition between forms, esp. family background.
- Repeated entry of identical details across the workflow wastes hours each week.
> Pull information forward from earlier forms so it is only entered once.
> Prepopulate later forms from the contact and referral, editable by the worker.
# C03 | DUP | child_in_need looked_after core_assessment | supplier | * | medium
- Where there are several siblings each child needs a separate record of the same visit.
- For a family of 5 children the worker has to write the same case note 5 times.
- No way to record one visit for all the siblings
- Sibling groups: assessments have to be done child by child even when the content is identical.
- Recording for brothers and sisters means copying and pasting between records over and over.
- A large sibling group takes a whole day to update after a single child protection visit.
> Allow one case note or assessment to be recorded against all the siblings at once.
> Let workers apply an entry to a chosen group of children in the household.
# C04 | ASM | core_assessment initial_assessment | supplier practice | * | high
- The core assessment form has too many questions that do not apply to the child.
- Core assessment is 40+ pages and every section must be answered even if it is not relevant.
- Workers have to type N/A in dozens of boxes before the CA can be completed.
- Assessment forms are too prescriptive and don't let workers record what they actually found.
- The initial assessment template forces answers to irrelevant questions before it can be
  finalised
- Mandatory fields on the assessment that make no sense for teenagers (feeding, sleep routine).
- Form driven - the analysis gets lost among the tick boxes.
> Make non-applicable sections optional and leave them out of the printed record.
> Let workers skip questions that do not apply, with one 'not relevant' option per section.
# C05 | OUT | general | supplier | * | medium
- Printed documents are full of system jargon and blank headings, not fit to give to families.
- Plans and reports have to be retyped in Word before they can be shared with parents.
- Printouts include every empty question so a plan runs to 30 pages.
- Documents for families look like a database dump.
- Output for parents is unreadable - staff rewrite it by hand
- Parents say they cannot understand their assessment when it is printed off the system.
> Print only completed sections, in plain language, with a family-friendly layout.
> Provide editable output templates that leave out blank sections.
# C06 | TRN | general | practice | * | medium
- Training was about which buttons to press, not about how to record good practice.
- Training was a one-off classroom day before go-live; by the time staff used the system they had
  forgotten most of it.
- New starters get no proper training on the system and learn it from colleagues.
- Training is generic and doesn't follow our local workflow
- No refresher training since the system went live in 2007.
- Agency SWs start on the system with no training at all.
> Provide workflow-based training with follow-up sessions and floorwalkers.
> Offer short refresher sessions and a system induction for every new starter.
# C07 | ACC | general | technical | * | medium
- Staff can't get onto the system away from the office, so visits are written up back at base.
- No remote access: workers come back into the office after evening visits to record.
- Remote / home working not possible - the VPN is too slow to use the system.
- Workers at court or in schools have no access to the record.
- Laptops will not connect from outside the council network.
> Provide secure remote access that performs well enough to record on.
> Make the system work over the council's remote working service and test it with staff.
# C08 | MIR | general initial_assessment | practice | * | medium
- Recording is driven by the CIN census and the 903 return rather than by what the child needs.
- Fields are there for performance indicators, not for practice.
- Workers complete data items for statutory returns that add nothing to the case.
- Staff feel the system was built for management information, not for social work
- The NI targets make people record against timescales rather than what actually happened.
> Review which mandatory fields the returns really need and drop the rest.
> Collect data for statutory returns once, separately from the practice record.
# C09 | NAV | general | supplier | * | high
- Too many clicks to do simple things - a case note takes 12 clicks.
- Simple tasks need several screens open at once.
- Navigation is confusing: workers get lost between tabs and windows.
- Finding the right form means going through four or five menus.
- It takes ages to get to where you need to be in the record
- Recording one home visit means opening 6 different screens.
- Not intuitive. Staff cannot find the forms they only use now and again.
> Cut the number of steps for common tasks and add shortcuts.
> Put the forms workers use most on one screen for each case.
# C10 | PLR | child_protection child_in_need | supplier | * | medium
- After a review conference the CP plan has to be re-entered because the revised plan does not
  update the original.
- Plans and reviews aren't linked; changes agreed at review don't carry into the plan.
- The CIN plan and the review hold different versions of the plan and they get out of step.
- Review outcomes have to be copied by hand into the new plan.
- There is no single current plan, every review creates another copy.
> Update the plan from review decisions and keep one current version.
> Link reviews to the plan so agreed changes carry through automatically.
# C11 | HRM | child_protection | supplier | * | high
- The section 47 enquiry form has no space to record the evidence behind the significant harm
  decision.
- S47 recording is a list of tick boxes with no room for analysis of harm.
- Can't record the reasons for the threshold decision on the s47.
- Workers put their analysis of significant harm in case notes because the form does not allow it.
- Strategy discussion and section 47 outcome do not capture the evidence for the judgement
> Add a structured section for evidence and analysis of significant harm.
> Let workers record the reasoning for the section 47 outcome next to the evidence.
# C12 | INT | referral contact | technical practice | * | medium
- Referrals from police and health arrive by email and fax and are typed in again.
- Police domestic abuse notifications have to be re-keyed into the contact record.
- Information from other agencies doesn't come into the system - we scan it or retype it.
- Health visitor reports are re-entered manually by admin.
- No electronic link with police, health or schools; everything is keyed in twice.
> Accept referrals from partner agencies electronically into the contact record.
> Provide an import route for partner notifications so they are not retyped.
# C13 | ACC | general | technical | * | medium
- The PCs are old and the system runs very slowly on them.
- Not enough computers in the team; with hot-desking people wait for a machine.
- Screens are too small to show the forms without scrolling sideways
- Old hardware - opening a record takes minutes.
- The network keeps dropping out in the area offices.
> Replace old PCs and provide larger screens for recording.
> Upgrade the network links to the area offices.
# C14 | NAR | general | supplier | * | high
- There is no summary page telling the child's story; you have to read every case note.
- A new worker can't get a picture of the case from the record.
- The child's story is lost across hundreds of separate forms.
- No overview of the case, history is scattered all over.
- Workers taking over a case spend days reading the file because there is no case summary.
- Hard to see what has happened to the child over time.
> Provide a case summary page that workers can keep up to date.
> Show a narrative overview of the child's history when the record is opened.
# C15 | SPD | core_assessment general | supplier technical | * | high
- The system crashes when saving a long assessment.
- Large forms freeze and the worker has to restart and enter everything again.
- Errors on saving the core assessment; work is sometimes lost.
- Frequent crashes - 'unexpected error' when you press save.
- Freezes while saving big documents, several times a week
> Fix the save failures on large forms and keep a recoverable draft.
> Investigate the crash logs and make saving long assessments reliable.
# C16 | ASM | initial_assessment | practice | * | medium
- The 7 working day timescale for the initial assessment means workers complete the record
  before the assessment is really finished.
- Workers record to hit the timescale, not when they have done the assessment.
- The IA gets 'completed' on the system to stop the clock and then revised afterwards.
- Timescale pressure: staff finish the form first and do the analysis later
> Allow assessments to be recorded as in progress without penalising timescales.
> Agree locally how timescales are recorded so that practice comes first.
# C17 | PLR | leaving_care looked_after | supplier | * | medium
- The pathway plan doesn't pull anything through from the care plan, it is all typed again.
- When a looked after young person turns 16 the pathway plan starts from scratch.
- Leaving care workers re-enter the care plan into the pathway plan
- No link between care plan and pathway plan.
> Pre-fill the pathway plan from the latest care plan.
> Carry care plan information forward into the pathway plan.
# C18 | NAV | case_closure | supplier | * | low
- To close a case every open episode and workflow step has to be closed separately.
- Closing a case is a long process: each plan, service and allocation is ended one by one.
- Case closure takes 10+ steps.
- Cases stay open on the system because closing them is so fiddly
> Provide a single close-case action that ends all open episodes and services.
> Let managers close all the open steps in one go.
# C19 | ASM | contact | supplier | * | medium
- A contact can't be saved without a date of birth and full address, which we often don't have.
- Anonymous contacts cannot be recorded.
- Mandatory fields on the contact screen mean duty workers make up data to get past them.
- Duty team can't log a call if the caller won't give their details
> Allow contacts to be saved with partial or anonymous details.
> Make date of birth and address optional at the contact stage.
# C20 | TRN | general | technical | * | low
- No help within the system; the guidance is in a separate manual nobody can find.
- The helpdesk takes days to answer and doesn't understand social work.
- When something goes wrong there is no one to ask.
- The on-screen help doesn't explain what each field is for
> Add context-sensitive help to the forms.
> Set up a local super-user network and a faster helpdesk route.
## specific to one supplier's product
# S01 | NAR | general | supplier | frameworki | high
- The chronology in frameworki can't be filtered so you scroll through hundreds of entries.
- Chronology shows everything; there is no way to filter it by event type.
- Cannot filter the chronology to show only the significant events.
- The chronology is unusable for court: no filter, no sort.
- Workers can't select which events appear in the chronology view
- chronolgy has no filter option so key events get buried.
> Add filters to the chronology by event type, date and significance.
> Let workers flag key events and filter the chronology on them.
# S02 | SPD | general | supplier technical | CareFirst | high
- CareFirst is very slow to open a client record - sometimes over a minute.
- Searching for a child takes minutes at busy times.
- Slow! the person search hangs every morning between 9 and 10.
- Opening a case file is painfully slow.
- Response times are poor, especially opening the documents tab
> Improve search and record opening times at peak hours.
> Investigate database performance on the person search.
# S03 | NAV | general | supplier | PROTOCOL ICS | medium
- Workflow steps can't be reassigned when a worker is off sick; they sit in that person's tray.
- Tasks stay with the allocated worker and a manager can't move them.
- If a social worker leaves, their outstanding steps get stuck.
- Managers cannot reallocate individual workflow steps
> Allow managers to reassign workflow steps between workers.
> Give team managers a bulk reallocation tool.
# S04 | OUT | core_assessment | supplier | Paris ICS | medium
- The printed core assessment runs to 60 pages including all the blank questions.
- Core assessment print-out in Paris prints every empty field.
- Printing the CA takes forever and wastes paper, blank sections included
- The printed core assessment can't be shared with parents, it is 50+ pages long.
> Print only the answered questions of the core assessment.
> Offer a short summary print of the core assessment.
# S05 | HRM | child_protection | supplier | RAISE Children's Services | medium
- Can't record who was invited to and who attended the initial child protection conference.
- Conference minutes have to be typed in Word and uploaded as an attachment.
- No ICPC minutes template - minute takers use Word and attach it.
- Attendance and apologies at conferences cannot be recorded in RAISE
> Add conference attendance and a minutes template to the conference record.
# S06 | MIR | looked_after general | supplier | Capita ICS | medium
- Reports give the wrong number of looked after children.
- LAC numbers from the system never match the team's own lists.
- Performance reports double count children who have two episodes.
- Management reports are inaccurate so managers keep their own spreadsheets
> Correct the looked after counting rules in the standard reports.
# S07 | PLR | looked_after child_protection | supplier | Northgate ICS | medium
- You can't see the current plan at a glance; it is spread over several tabs.
- The care plan is split across 7 tabs.
- No one-page view of the plan
- Workers can't see the current CP plan without opening several screens.
> Show the whole current plan on one page.
# S08 | ASM | general core_assessment | supplier | OfficeBase ICS | low
- Text boxes have a character limit and cut off longer entries without warning.
- Long case notes get cut off at 4000 characters.
- Text disappears when a box goes over the limit
- Workers split their analysis over several boxes because of the character limit.
> Remove the character limit on free text, or at least warn before truncating.
# S09 | ACC | general | technical supplier | ShareCare | medium
- A separate login for ShareCare on top of the network login; passwords expire at different times.
- Two log-ins every morning and frequent lock-outs.
- No single sign-on, so staff get locked out
- Users are locked out after each password expiry and have to ring IT.
> Provide single sign-on with the network login.
# S10 | INT | general | supplier | MultiVue | medium
- The link with the health system fails and records don't match.
- Data from the PCT system does not come through to MultiVue.
- The health interface is unreliable and information is often out of date
- The interface with health drops records without telling anyone.
> Fix the health interface and report failed transfers.
# S11 | NAR | general | supplier | KCics | medium
- No way of drawing a genogram; workers draw them on paper and scan them in.
- Family relationships can't be shown as a family tree.
- Genograms have to be done in Word and attached
- Would like a genogram tool that uses the relationships already recorded.
> Add a genogram drawn from the recorded relationships.
# S12 | DUP | core_assessment | supplier | frameworki | high | C03
- Copying an assessment to a sibling brings across the first child's name and date of birth in
  places.
- When you clone a record for a brother or sister, the wrong child's details stay in the text.
- Sibling copy carries the other child's details into the new record - data protection risk
- Copied forms still mention the first child.
> Update child-specific fields when copying between siblings and warn about leftovers.
# S13 | NAR | general | supplier | CareFirst | medium | S01
- The chronology fills up with automatic entries for every letter and task, so real events are lost.
- System generated entries swamp the chronology.
- Every workflow step appears in the chronology, which makes it unreadable
- Auto entries clutter the chronology and key events are hard to spot.
> Keep automatic workflow entries out of the chronology, or let workers hide them.
## near misses: different problems that sound like the ones above
# N01 | ACC | general | technical | * | low | C01
- Session time-out is too long, so PCs are left logged in when staff leave their desks.
- Unattended screens stay logged in for hours - a security risk.
- The system doesn't lock when a worker walks away from the desk
- The time-out should be shorter on the shared PCs in reception.
> Lock the session on shared PCs after a short idle period.
# N02 | OUT | general child_protection | supplier | * | medium | S01
- The chronology can't be printed or exported for court.
- Can't export the chronology to Word to edit it for court bundles.
- Chronology prints as a screen dump, no good for court
- No way to get the chronology out of the system for a conference report.
> Export the chronology to an editable document.
# N03 | DUP | general | supplier | * | medium | C03
- Copied information isn't marked, so you don't know where it came from.
- Text copied from a previous assessment looks like new recording.
- After copying there is no record of the original source or date
- Cut and pasted history shows as if it had been written today.
> Mark copied text with its source and date.
# N04 | DUP | contact referral | supplier technical | * | medium | C02
- Duplicate records for the same child are created at contact.
- The same child appears twice on the system under different spellings.
- Duplicate person records mean the history is split between two files
- Search doesn't catch duplicates, so new records get set up for children already known.
> Check for likely duplicates when a person is created, and allow records to be merged.
# N05 | PLR | child_in_need looked_after | supplier | * | low | C10
- Review dates are not calculated automatically from the last review.
- No reminders when a looked after review or a child in need review is due.
- Workers keep a paper diary of review dates because the system doesn't prompt them
- The independent reviewing officer isn't told when a review is due.
> Calculate review due dates and remind the worker and the IRO.
# N06 | OUT | general | supplier | * | low | C05
- Letters to families can't be edited before they are printed.
- Standard letters are locked, you can't change the wording.
- Letter templates can't be adapted for a particular family
> Allow letters to be edited before sending and keep the edited copy.
# N07 | HRM | child_protection | supplier | * | medium | C11
- A section 47 enquiry can't be started until the strategy discussion form is completed and
  authorised.
- S47 is blocked until the manager signs off the strategy meeting record.
- Workers can't record the s47 visit on the day because the previous step isn't finished
- Workflow won't let you open the section 47 before the strategy discussion is closed.
> Allow the section 47 to start while the strategy record is waiting for authorisation.
# N08 | NAR | general | supplier practice | * | low | C14
- The case summary only shows the last few entries.
- The summary screen isn't updated from case notes, so it is always out of date.
- Case summary is a free text box that nobody keeps up to date
> Update the case summary with key events automatically.
# N09 | NAV | general contact | supplier | * | medium | C09
- The person search doesn't find a child unless the name is spelt exactly.
- Search needs the full name and date of birth; partial names return nothing.
- Can't search by address or by a parent's name
- Searching for children is hit and miss with spellings.
> Support partial and sound-alike name searches and search by address.
# N10 | TRN | general | practice | * | low | C06
- Managers have had no training on the reports, so they don't use them.
- Team managers don't know how to run the caseload reports.
- No training on management information for managers
> Train managers to use the caseload and performance reports.

"""

PROBLEMS: tuple[Problem, ...] = _parse(_BANK)
PROBLEMS_BY_ID: dict[str, Problem] = {p.pid: p for p in PROBLEMS}

Rules = list[tuple[re.Pattern[str], tuple[str, ...]]]


def _compile(rules: tuple[tuple[str, tuple[str, ...]], ...]) -> Rules:
    """Whole-word patterns; lower-case ones match any case, abbreviations only as written."""
    return [(re.compile(rf"\b{p}\b", 0 if p[0].isupper() else re.IGNORECASE), c) for p, c in rules]


_ABBREVIATE = _compile(
    (
        (r"section 47", ("S47", "s47", "s.47")),
        (r"initial child protection conference", ("ICPC",)),
        (r"child protection", ("CP",)),
        (r"child in need", ("CIN",)),
        (r"looked after children", ("LAC", "CLA")),
        (r"looked after", ("LAC",)),
        (r"chronology", ("chron", "chrono")),
        (r"independent reviewing officer", ("IRO",)),
        (r"core assessment", ("CA", "core assmt")),
        (r"initial assessment", ("IA",)),
        (r"social workers", ("SWs", "social wkrs")),
        (r"social worker", ("SW",)),
        (r"information", ("info",)),
        (r"date of birth", ("DOB",)),
        (r"minutes", ("mins",)),
        (r"because", ("as", "b/c")),
        (r"managers", ("mgrs",)),
    )
)
_EXPAND = _compile(
    (
        (r"s\.?47", ("section 47",)),
        (r"ICPC", ("initial child protection conference",)),
        (r"CP", ("child protection",)),
        (r"CIN", ("child in need",)),
        (r"LAC", ("looked after",)),
        (r"chron", ("chronology",)),
        (r"IRO", ("independent reviewing officer",)),
        (r"CA", ("core assessment",)),
        (r"IA", ("initial assessment",)),
        (r"SWs", ("social workers",)),
        (r"info", ("information",)),
        (r"DOB", ("date of birth",)),
        (r"mins", ("minutes",)),
    )
)
_MISSPELL = {
    "separate": "seperate", "receive": "recieve", "necessary": "neccessary",
    "chronology": "chronolgy", "assessment": "assesment", "immediately": "immediatly",
    "their": "thier", "because": "becuase", "which": "wich", "system": "sytem",
    "doesn't": "doesnt", "can't": "cant", "don't": "dont", "isn't": "isnt",
}  # fmt: skip
_LEADS = ("Survey feedback: ", "From the focus groups: ", "Main complaint: ", "Issue - ",
          "Feedback from the CIN teams: ", "Duty team: ", "Staff report that ",
          "Practitioners said ", "Most respondents mentioned that ")  # fmt: skip
_TAILS = ("Raised again this quarter.", "Reported by most teams.", "A daily frustration.",
          "Staff have workarounds but it costs time.", "Affects all teams.",
          "Came up repeatedly in the survey comments.", "Still outstanding.",
          "Logged with the helpdesk.", "Causes delays for families.")  # fmt: skip
_KEEP_CASE = {"Paris", "Northgate", "Capita", "I", "RAISE"}


@dataclass(frozen=True)
class WritingStyle:
    """How one LA's analyst tends to write: the same LA sounds alike from period to period."""

    abbreviate: float
    expand: float
    lead_in: float
    tail: float
    typo: float
    full_stop: bool


def make_style(rng: np.random.Generator) -> WritingStyle:
    """Draw an LA's writing habits."""
    return WritingStyle(
        abbreviate=pick(rng, (0.1, 0.4, 0.8)),
        expand=pick(rng, (0.0, 0.3)),
        lead_in=pick(rng, (0.0, 0.15, 0.5)),
        tail=pick(rng, (0.0, 0.2, 0.4)),
        typo=pick(rng, (0.0, 0.05, 0.15)),
        full_stop=bool(rng.random() < 0.75),
    )


def _swap_terms(rng: np.random.Generator, text: str, rules: Rules, chance: float) -> str:
    """Replace terms by alternatives, each rule applied with `chance`."""
    for pattern, choices in rules:
        if rng.random() >= chance or not pattern.search(text):
            continue
        new = pick(rng, choices)

        def repl(m: re.Match[str], new: str = new) -> str:
            return new[0].upper() + new[1:] if m.start() == 0 else new

        text = pattern.sub(repl, text)
    return text


def _typo(rng: np.random.Generator, text: str) -> str:
    """Introduce one plausible typing slip."""
    words = text.split(" ")
    known = [i for i, w in enumerate(words) if w.lower().strip(".,;:") in _MISSPELL]
    if known and rng.random() < 0.6:
        i = pick(rng, known)
        bare = words[i].strip(".,;:")
        words[i] = words[i].replace(bare, _MISSPELL[bare.lower()])
        return " ".join(words)
    long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long:
        return text
    i = pick(rng, long)
    w = words[i]
    j = int(rng.integers(1, len(w) - 2))
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :] if rng.random() < 0.6 else w[:j] + w[j + 1 :]
    return " ".join(words)


def render(
    rng: np.random.Generator, text: str, style: WritingStyle, *, framing: bool = True
) -> str:
    """Rewrite a hand-written phrasing the way this LA would write it; `framing` allows the
    lead-ins and tails an analyst adds around a description."""
    if rng.random() < style.abbreviate:
        text = _swap_terms(rng, text, _ABBREVIATE, 0.7)
    elif rng.random() < style.expand:
        text = _swap_terms(rng, text, _EXPAND, 0.8)
    if framing and rng.random() < style.lead_in and text[0] != '"':
        lead = pick(rng, _LEADS)
        first = text.split(" ", 1)[0]
        if lead.endswith(("that ", "said ")) and first[1:].islower() and first not in _KEEP_CASE:
            text = text[0].lower() + text[1:]
        text = lead + text
    if framing and rng.random() < style.tail:
        text = text.rstrip() if text[-1] in ".!)\"'" else text + "."
        text = f"{text} {pick(rng, _TAILS)}"
    if rng.random() < (style.typo if framing else style.typo / 2):
        text = _typo(rng, text)
    if not style.full_stop:
        text = text.rstrip(".")
    elif text[-1].isalnum():
        text += "."
    return text


def problems_for(product: str) -> list[Problem]:
    """Problems that users of `product` can meet: the common ones plus its own."""
    return [p for p in PROBLEMS if p.product in (None, product)]
