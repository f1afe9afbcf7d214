"""A Nachtrag: new facts or documents for an application that was already sent.

A small interview of its own, run by the same engine as the application: the person's own
words (written or spoken), documents, health only with its own consent (as in the
application: every health answer is sensitive and goes if the consent is withdrawn), the
declaration, then review and send. It is sealed to the secretariat under the reference of
the application it adds to.
"""

from __future__ import annotations

from dialogs.content.life import health_consent_question
from dialogs.content.predicates import health_consent
from dialogs.model import Choice, Interview, Kind, Question, Section
from dialogs.progress import REVIEW
from dialogs.types import N_

ADDENDUM = Interview("addendum", 1, (
    Section("addendum", N_("New facts or documents"), (
        Question("addendum_intro", Kind.INFO, N_(
            "Here you can add new facts or documents to the application you sent. The "
            "secretariat adds them to your application.\n\nThe board looks again at a case "
            "it has already heard only if something important has changed.")),
        Question("addendum_facts", Kind.STORY, N_(
            "What is new? Please write it in your own words, or send a voice message. "
            "Health comes later, in its own question."),
                 label=N_("What is new"), max_length=4000),
        Question("addendum_documents", Kind.DOCUMENT, N_(
            "Do you have documents for this, e.g. a letter, a certificate or a contract? "
            "Send photos or PDF files."),
                 label=N_("Documents for the addendum"), optional=True),
        health_consent_question(N_(
            "Is something new about health, e.g. an illness or a medical certificate? Health "
            "data is very private. We use it only for this application, and only if you "
            "agree.\n\nDo you agree that we ask about health?")),
        Question("addendum_health", Kind.STORY, N_(
            "What is new about health? Please tell us in your own words."),
                 label=N_("New facts about health"), when=health_consent, optional=True,
                 decline=True, sensitive=True, max_length=3000),
        Question("addendum_medical", Kind.DOCUMENT, N_("Medical certificates or reports."),
                 label=N_("Medical certificates"), when=health_consent, optional=True,
                 sensitive=True),
        Question("addendum_true", Kind.CHOICE, N_(
            "Is everything in this application true, as far as you know?"),
                 label=N_("Declaration: the information is true"), submit_requires="yes",
                 choices=(Choice("yes", N_("Yes, it is true")),
                          Choice("change", N_("I want to change something"))),
                 jump={"change": REVIEW}),
    )),
))
