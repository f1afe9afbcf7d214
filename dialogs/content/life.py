"""Sections 6–9: health, life in Germany, work and money, and the person's own story."""

from __future__ import annotations

from dialogs.content.predicates import (
    all_of,
    answered,
    has_health_issue,
    health_consent,
    works,
)
from dialogs.content.start import YES_NO_UNSURE
from dialogs.model import YES_NO, Choice, Kind, Question, Section
from dialogs.types import N_


def health_consent_question(prompt: str) -> Question:
    """Consent before any health question (GDPR Art. 9). Its id is what the health predicate
    and withdrawing the consent look at, in the application and in a Nachtrag alike."""
    return Question("health_consent", Kind.CHOICE, prompt,
                    label=N_("Consent to health questions"), consent="health", choices=(
        Choice("agree", N_("Yes, I agree")),
        Choice("skip", N_("No, skip this part"))))


HEALTH = Section("health", N_("Health"), (
    health_consent_question(N_(
        "The next questions are about health. Health data is very private. We use it only "
        "for this application, and only if you agree. You can skip every question.\n\n"
        "Do you agree that we ask about health?")),
    Question("health_issues", Kind.MULTI, N_(
        "Does someone in this application have one of these? Choose all that fit."),
             label=N_("Health"), when=health_consent, optional=True, decline=True,
             sensitive=True, choices=(
        Choice("illness", N_("An illness")),
        Choice("disability", N_("A disability")),
        Choice("pregnancy", N_("A pregnancy")),
        Choice("trauma", N_("Trauma or mental health problems")),
        Choice("none", N_("No, none of these")))),
    Question("health_details", Kind.STORY, N_(
        "Please tell us in your own words: who is ill, what is it, since when?"),
             label=N_("Health: details"), when=has_health_issue, optional=True, decline=True,
             sensitive=True, max_length=3000),
    Question("treatment", Kind.CHOICE, N_(
        "Is someone getting treatment now (doctor, therapy, medicine)?"),
             label=N_("Ongoing treatment"), when=has_health_issue, choices=YES_NO_UNSURE,
             optional=True, decline=True, sensitive=True),
    Question("treatment_home", Kind.CHOICE, N_(
        "Can this person get this treatment in the country of origin?"),
             label=N_("Treatment available in the country of origin"),
             when=all_of(has_health_issue, answered("treatment", "yes")),
             choices=YES_NO_UNSURE, optional=True, decline=True, sensitive=True),
))

SOCIAL = Section("social", N_("Your life in Germany"), (
    Question("german", Kind.CHOICE, N_("How good is your German?"),
             label=N_("German level"), unknown=True, choices=(
        Choice("none", N_("Not yet")),
        Choice("a1", N_("A1: a few words")),
        Choice("a2", N_("A2: simple talks")),
        Choice("b1", N_("B1: everyday life")),
        Choice("b2", N_("B2: work and studies")),
        Choice("c1", N_("C1 or C2: very good")))),
    Question("german_certificate", Kind.CHOICE, N_(
        "Do you have a German certificate, for example from an integration course?"),
             label=N_("German certificate"), choices=YES_NO),
    Question("education", Kind.MULTI, N_(
        "What do you do, or what did you do, in Germany? Choose all that fit."),
             label=N_("School, training, studies"), optional=True, choices=(
        Choice("school", N_("School")),
        Choice("training", N_("Vocational training (Ausbildung)")),
        Choice("studies", N_("University studies")),
        Choice("course", N_("Integration or language course")),
        Choice("none", N_("None of these")))),
    Question("education_details", Kind.TEXT, N_(
        "Where, and since when? e.g. \"Training as a cook, since 08/2024\""),
             label=N_("School, training, studies: details"), max_length=400,
             when=answered("education", "school", "training", "studies", "course")),
    Question("community", Kind.STORY, N_(
        "Do you help others, or are you in a club, a religious community or a group? "
        "Tell us about it."),
             label=N_("Volunteering, clubs, community"), optional=True, max_length=2000),
    Question("ties", Kind.STORY, N_(
        "Who knows you here? Friends, neighbours, colleagues, teachers. Could someone write "
        "a letter of support for you?"),
             label=N_("Ties in the neighbourhood"), optional=True, max_length=2000),
))

ECONOMY = Section("economy", N_("Work and money"), (
    Question("working", Kind.CHOICE, N_("Do you work now?"), label=N_("Work"), choices=(
        Choice("full", N_("Yes, full-time")),
        Choice("part", N_("Yes, part-time")),
        Choice("mini", N_("Yes, a mini-job")),
        Choice("no", N_("No")))),
    Question("employer", Kind.TEXT, N_("Who is your employer? Name of the company:"),
             label=N_("Employer"), when=works, max_length=160),
    Question("work_since", Kind.DATE, N_("Since when do you work there? e.g. 09/2022"),
             label=N_("Employed since"), when=works),
    Question("hours", Kind.NUMBER, N_("How many hours do you work per week?"),
             label=N_("Hours per week"), when=works, minimum=1, maximum=80, optional=True),
    Question("income", Kind.NUMBER, N_(
        "How much money do you get per month after taxes (net), in euros?"),
             label=N_("Net income per month (EUR)"), when=works, maximum=100_000,
             optional=True, decline=True),
    Question("offer", Kind.CHOICE, N_("Do you have a job offer or an offer for training?"),
             label=N_("Job or training offer"), choices=YES_NO),
    Question("offer_details", Kind.TEXT, N_("From whom, and for which job?"),
             label=N_("Offer: details"), when=answered("offer", "yes"), max_length=300),
    Question("benefits", Kind.MULTI, N_(
        "Do you get money from the state? Choose all that fit."),
             label=N_("Benefits received"), optional=True, decline=True, choices=(
        Choice("asylblg", N_("Benefits for asylum seekers (AsylbLG)")),
        Choice("buergergeld", N_("Citizen's income (Bürgergeld)")),
        Choice("kindergeld", N_("Child benefit (Kindergeld)")),
        Choice("wohngeld", N_("Housing benefit (Wohngeld)")),
        Choice("none", N_("No")))),
    Question("living_costs", Kind.CHOICE, N_("Who pays your rent and living costs?"),
             label=N_("Who covers rent and living costs"), choices=(
        Choice("self", N_("I do, or my family does")),
        Choice("state", N_("Job centre or social welfare office")),
        Choice("mixed", N_("Partly me, partly the state")),
        Choice("other", N_("Someone else")))),
))

STORY = Section("story", N_("Your story"), (
    Question("story_intro", Kind.INFO, N_(
        "Now please tell us about your life here, in your own words. The board wants to see "
        "the person behind the file. You can write several messages or send voice messages.\n\n"
        "Please note: danger in your home country is a matter for the asylum procedure. "
        "The board looks at your life here. For danger at home, asylum counselling can help."),
             referral=("asylum",)),
    Question("story_week", Kind.STORY, N_(
        "What does a normal week look like for you? Work, school, family, friends."),
             label=N_("A normal week"), max_length=4000),
    Question("story_leaving", Kind.STORY, N_(
        "What would it mean for you and your family to leave Germany now?"),
             label=N_("What leaving Germany would mean"), max_length=4000),
    Question("story_children", Kind.STORY, N_(
        "What would it mean for your children? School, friends, language."),
             label=N_("What it would mean for the children"), when=answered("children", "yes"),
             optional=True, max_length=4000),
    Question("story_home", Kind.STORY, N_(
        "What is your situation in your country of origin? Who is still there? Do you have "
        "a place to live there?"),
             label=N_("Situation in the country of origin"), optional=True, max_length=4000),
    Question("story_more", Kind.STORY, N_("Is there anything else the board should know?"),
             label=N_("Anything else"), optional=True, max_length=4000),
))
