"""Sections 3–5: the persons covered, the family, and the time in Germany."""

from __future__ import annotations

from dialogs.content.predicates import answered, not_first_person, stay_length
from dialogs.content.start import UNSURE, YES_NO_UNSURE
from dialogs.model import YES_NO, Choice, Group, Kind, Question, Section
from dialogs.types import N_

PERSON = Group("persons", N_("Person {n}"), N_(
    "Does this application cover another person, for example your husband, wife or a child?"),
    questions=(
    Question("relation", Kind.CHOICE, N_("How is this person related to person 1?"),
             label=N_("Relation to person 1"), when=not_first_person, choices=(
        Choice("partner", N_("Husband, wife or partner")),
        Choice("child", N_("Child")),
        Choice("parent", N_("Mother or father")),
        Choice("sibling", N_("Brother or sister")),
        Choice("other", N_("Other")))),
    Question("family_name", Kind.TEXT, N_("Family name, as in the passport:"),
             label=N_("Family name"), max_length=100),
    Question("given_names", Kind.TEXT, N_("Given name(s):"), label=N_("Given names"),
             max_length=100),
    Question("birth_date", Kind.DATE, N_("Date of birth? e.g. 14.03.1990"),
             label=N_("Date of birth"), month_ok=False, unknown=True),
    Question("birth_place", Kind.TEXT, N_("Place of birth (town or village):"),
             label=N_("Place of birth"), unknown=True, max_length=100),
    Question("birth_country", Kind.TEXT, N_("Country of birth:"), label=N_("Country of birth"),
             max_length=80),
    Question("nationality", Kind.TEXT, N_(
        "Nationality? If there are several, write all. If none, write \"none\"."),
             label=N_("Nationality"), unknown=True, max_length=120),
    Question("address", Kind.TEXT, N_("Address in Leverkusen (street, number, postcode):"),
             label=N_("Address"), optional=True, max_length=200),
    Question("phone", Kind.PHONE, N_("Phone number? e.g. +49 176 12345678"),
             label=N_("Phone"), optional=True),
    Question("languages", Kind.TEXT, N_("Which languages does this person speak?"),
             label=N_("Languages"), max_length=160),
    Question("file_number", Kind.TEXT, N_(
        "File number at the foreigners' office (Aktenzeichen), if you know it:"),
             label=N_("File number (Ausländerbehörde)"), unknown=True, optional=True,
             max_length=60),
))

PERSONS = Section("persons", N_("The people in this application"), (
    Question("persons_intro", Kind.INFO, N_(
        "Now about the people this application is for. We start with the main person. "
        "Then you can add family members who live with them.")),
    PERSON,
))

CHILD = Group("child", N_("Child {n}"), N_("Do you have another child?"), questions=(
    Question("name", Kind.TEXT, N_("Name of the child:"), label=N_("Name"), max_length=120),
    Question("birth_date", Kind.DATE, N_("Date of birth of the child? e.g. 02.09.2015"),
             label=N_("Date of birth"), month_ok=False, unknown=True),
    Question("status", Kind.CHOICE, N_("Which residence status does the child have?"),
             label=N_("Residence status"), unknown=True, choices=(
        Choice("german", N_("German citizen")),
        Choice("permit", N_("Residence permit")),
        Choice("duldung", N_("Duldung")),
        Choice("asylum", N_("Asylum procedure")),
        Choice("abroad", N_("Lives outside Germany")))),
    Question("school", Kind.TEXT, N_("School, kindergarten or daycare? Name and class:"),
             label=N_("School or daycare"), optional=True, max_length=200),
), when=answered("children", "yes"))

FAMILY = Section("family", N_("Your family"), (
    Question("partner", Kind.CHOICE, N_("Do you have a husband, wife or partner?"),
             label=N_("Spouse or partner"), choices=(
        Choice("here", N_("Yes, in Germany")),
        Choice("abroad", N_("Yes, outside Germany")),
        Choice("no", N_("No")))),
    Question("partner_name", Kind.TEXT, N_("Name of your husband, wife or partner:"),
             label=N_("Name of spouse or partner"), when=answered("partner", "here", "abroad"),
             max_length=120),
    Question("partner_status", Kind.TEXT, N_("Which residence status do they have?"),
             label=N_("Residence status of spouse or partner"), when=answered("partner", "here"),
             unknown=True, max_length=120),
    Question("children", Kind.CHOICE, N_("Do you have children?"), label=N_("Children"),
             choices=YES_NO),
    CHILD,
    Question("relatives", Kind.STORY, N_(
        "Do you have other relatives in Germany? Who are they, and where do they live?"),
             label=N_("Relatives in Germany"), optional=True, max_length=2000),
))

RESIDENCE = Section("residence", N_("Your time in Germany"), (
    Question("arrival", Kind.DATE, N_(
        "When did you come to Germany? Month and year are enough, e.g. 03/2016."),
             label=N_("Arrival in Germany")),
    Question("stay", Kind.CHOICE, N_("{date}: that is {duration} in Germany."),
             label=N_("Length of stay confirmed"), compute=stay_length,
             choices=(Choice("correct", N_("Correct")), Choice("change", N_("Change"))),
             jump={"change": "arrival"}),
    Question("lev_since", Kind.DATE, N_("Since when do you live in Leverkusen? e.g. 05/2017"),
             label=N_("In Leverkusen since"), unknown=True),
    Question("asylum", Kind.CHOICE, N_("Did you ask for asylum in Germany?"),
             label=N_("Asylum procedure"), choices=(
        Choice("rejected", N_("Yes, it was rejected")),
        Choice("open", N_("Yes, it is still open")),
        Choice("protection", N_("Yes, I got protection")),
        Choice("no", N_("No")), UNSURE)),
    Question("court_case", Kind.CHOICE, N_("Is a court case about your residence open now?"),
             label=N_("Open court case"), choices=YES_NO_UNSURE),
    Question("paper", Kind.CHOICE, N_("Which paper do you have now?"),
             label=N_("Current document"), unknown=True, choices=(
        Choice("duldung", N_("Duldung")),
        Choice("gestattung", N_("Aufenthaltsgestattung (asylum)")),
        Choice("permit", N_("Residence permit")),
        Choice("border", N_("Border crossing certificate")),
        Choice("none", N_("No paper")))),
    Question("paper_until", Kind.DATE, N_("Until when is it valid? e.g. 31.01.2027"),
             label=N_("Valid until"), future_ok=True, unknown=True,
             when=answered("paper", "duldung", "gestattung", "permit", "border")),
    Question("passport", Kind.CHOICE, N_("Do you have a passport?"),
             label=N_("Passport"), choices=(
        Choice("yes", N_("Yes")),
        Choice("applied", N_("I applied for one")),
        Choice("impossible", N_("I cannot get one")),
        Choice("no", N_("No")))),
    Question("passport_why", Kind.STORY, N_(
        "Why do you have no passport? What did you try to get one?"),
             label=N_("Why no passport"), when=answered("passport", "impossible", "no"),
             max_length=2000),
    Question("before", Kind.STORY, N_(
        "Your life before Germany, in short lines: school, work, and your way here. "
        "e.g. \"2005–2011 school in Mosul\"."),
             label=N_("Life before Germany (for the CV)"), optional=True, max_length=3000),
))
