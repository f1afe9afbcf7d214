"""Sections 10–11: the documents checklist, the declaration and the consent to pass it on."""

from __future__ import annotations

from dialogs.content.predicates import (
    answered,
    any_of,
    has_health_issue,
    is_missing,
    works,
)
from dialogs.model import Choice, Kind, Predicate, Question, Section
from dialogs.progress import REVIEW
from dialogs.types import N_


def document(
    qid: str, prompt: str, label: str, when: Predicate | None = None, *,
    optional: bool = False, sensitive: bool = False,
) -> tuple[Question, Question]:
    """A checklist item and the question why it is not available."""
    item = Question(qid, Kind.DOCUMENT, prompt, label=label, when=when, optional=optional,
                    sensitive=sensitive)
    why = Question(f"{qid}_why", Kind.TEXT, N_("Why do you not have it? A few words are enough."),
                   label=N_("Reason it is not available"), when=is_missing(qid), max_length=300,
                   sensitive=sensitive)
    return item, why


DOCUMENTS = Section("documents", N_("Documents"), (
    Question("documents_intro", Kind.INFO, N_(
        "Now your documents. For each one, send a photo or a PDF. You can also bring it "
        "later.\n\nTip: take photos in good light, with all four corners visible. I delete "
        "your files from this chat after saving them.")),
    *document("doc_id", N_("Your passport or ID card. Please send a photo of the page with "
                           "your photo."), N_("Passport or ID card")),
    *document("doc_paper", N_("Your current paper, e.g. the Duldung. Please send all pages."),
              N_("Current residence document")),
    *document("doc_medical", N_("Medical certificates or reports."),
              N_("Medical certificates"), has_health_issue, sensitive=True),
    *document("doc_work", N_("Work contract, pay slips or the job offer."),
              N_("Work contract, pay slips, job offer"), any_of(works, answered("offer", "yes"))),
    *document("doc_school", N_("Certificates from school, training or language courses."),
              N_("School, training and language certificates"),
              any_of(answered("german_certificate", "yes"),
                     answered("education", "school", "training", "studies", "course"))),
    *document("doc_consent", N_("The signed consent or power of attorney of the person."),
              N_("Power of attorney or signed consent"), answered("affected_consent", "signed")),
    *document("doc_support", N_("Letters of support, e.g. from friends, teachers, employers."),
              N_("Letters of support"), optional=True),
    *document("doc_other", N_("Any other document that helps your case."),
              N_("Other documents"), optional=True),
))

DECLARATION = Section("declaration", N_("Check and send"), (
    Question("declare_true", Kind.CHOICE, N_(
        "Is everything in this application true, as far as you know?"),
             label=N_("Declaration: the information is true"), submit_requires="yes", choices=(
        Choice("yes", N_("Yes, it is true")),
        Choice("change", N_("I want to change something"))), jump={"change": REVIEW}),
    Question("declare_share", Kind.CHOICE, N_(
        "The secretariat gives your application to the members of the board and to the "
        "foreigners' office. Do you agree?"),
             label=N_("Consent to pass the application on"), submit_requires="yes",
             consent="sharing", choices=(
        Choice("yes", N_("Yes, I agree")),
        Choice("no", N_("No")))),
    Question("share_refused", Kind.INFO, N_(
        "Without your agreement, the board cannot look at your case. You can change this "
        "answer in the review."), when=answered("declare_share", "no")),
))
