"""Sections 1–2: about this service, who fills in, and whether the board can help."""

from __future__ import annotations

from dialogs.content.predicates import (
    answered,
    any_of,
    deportation_date_set,
    for_someone_else,
    has_pending_procedure,
    represents,
)
from dialogs.model import YES_NO, Choice, Kind, Question, Section
from dialogs.types import N_

UNSURE = Choice("unknown", N_("I don't know"))
YES_NO_UNSURE = (*YES_NO, UNSURE)

NOTICE_VERSION = "2"  # raise when the notice's meaning changes: consents name the version
PRIVACY_NOTICE = N_(
    "Before we start: who reads your answers, and how we protect them.\n\n"
    "• {operator} runs this service for the advisory board.\n"
    "• The secretariat of the board reads your application. It gives it to the board "
    "members and to the foreigners' office. The board only gives advice.\n"
    "• Telegram chats with bots are not end-to-end encrypted. So we store your answers "
    "encrypted, and we delete your files from this chat after saving them.\n"
    "• Your draft is kept for {days} days after your last answer.\n"
    "• /mydata shows what is stored. /delete deletes everything. /withdraw takes back "
    "your consent.")
PRIVACY_DETAILS = N_(
    "More details:\n"
    "• Only the secretariat can open a sent application. The bot's server cannot read it.\n"
    "• Health questions come only if you agree separately. You can skip each of them.\n"
    "• After you send the application, the bot keeps only its reference number and status.\n"
    "• You have the right to see, correct and delete your data, and to complain to the "
    "data protection authority. Ask: {secretariat}.\n"
    "• /privacy shows this notice again.")

START = Section("start", N_("About you and this form"), (
    Question("welcome", Kind.INFO, N_(
        "Hello! I help you apply to the advisory board on residence law in Leverkusen.\n\n"
        "The board gives advice to the foreigners' office. It cannot decide, and it cannot "
        "stop a deportation. But it can look for a humane solution with the office.\n\n"
        "I ask one question at a time. You can stop at any time and come back later.")),
    Question("privacy", Kind.CHOICE, N_("Do you agree?"), intro=PRIVACY_NOTICE,
             label=N_("Privacy notice read and accepted"), help=PRIVACY_DETAILS,
             choices=(Choice("agree", N_("I agree")),), submit_requires="agree",
             consent="privacy"),
    Question("role", Kind.CHOICE, N_("Who is filling in this form?"),
             label=N_("Who fills in"), help=N_(
                 "Represent: you are a lawyer, a family member, a legal guardian or a "
                 "counselling service, and you apply for the person.\n"
                 "Support group: for example a church group, parents at a school, or a "
                 "refugee support circle."), choices=(
        Choice("self", N_("I am the person it is about")),
        Choice("helper", N_("I help the person, who is with me")),
        Choice("representative", N_("I represent the person")),
        Choice("group", N_("We are a support group")))),
    Question("helper_name", Kind.TEXT, N_("What is your name?"),
             label=N_("Name of the person filling in"), when=for_someone_else, max_length=120),
    Question("helper_org", Kind.TEXT, N_("Which organisation or group are you from?"),
             label=N_("Organisation or group"), when=represents, optional=True, max_length=160),
    Question("helper_phone", Kind.PHONE, N_(
        "How can the board reach you? Please write your phone number, e.g. +49 176 12345678."),
             label=N_("Phone of the person filling in"), when=for_someone_else),
    Question("affected_consent", Kind.CHOICE, N_(
        "Does the person agree that you fill in this application for them?"),
             label=N_("Consent of the person concerned"), when=for_someone_else, choices=(
        Choice("signed", N_("Yes, I have the signed consent")),
        Choice("present", N_("Yes, the person is with me and agrees")),
        Choice("not_yet", N_("Not yet")))),
    Question("consent_missing", Kind.INFO, N_(
        "The board needs the person's agreement. You can go on filling in. Please send the "
        "signed consent later, or let the person confirm it to the secretariat."),
             when=answered("affected_consent", "not_yet")),
))

ELIGIBILITY = Section("eligibility", N_("Can the board help you?"), (
    Question("lives_lev", Kind.CHOICE, N_("Do you live in Leverkusen?"),
             label=N_("Lives in Leverkusen"), choices=YES_NO_UNSURE),
    Question("not_lev", Kind.INFO, N_(
        "The board can only help people who live in Leverkusen. A counselling service can "
        "tell you who helps where you live. You can still go on. The secretariat will check."),
             when=answered("lives_lev", "no"), referral=("counselling",)),
    Question("threat", Kind.MULTI, N_("What is your situation now? Choose all that fit."),
             label=N_("Current situation"), unknown=True, help=N_(
                 "A Duldung is a paper that says: the deportation is suspended for now. "
                 "An expulsion order (Ausweisung) is a decision that you must leave Germany "
                 "and may not come back for some time."), choices=(
        Choice("duldung", N_("I have a Duldung")),
        Choice("leave", N_("I was told I must leave Germany")),
        Choice("expulsion", N_("I got an expulsion order (Ausweisung)")),
        Choice("warning", N_("I got a letter that I will be deported")),
        Choice("date", N_("A date for my deportation is set")),
        Choice("other", N_("Something else")))),
    Question("threat_other", Kind.TEXT, N_("Please describe your situation in a few words."),
             label=N_("Other situation"), when=answered("threat", "other"), max_length=300),
    Question("deport_date", Kind.DATE, N_("When is the deportation date? e.g. 14.12.2026"),
             label=N_("Deportation date"), when=deportation_date_set, future_ok=True,
             unknown=True),
    Question("urgent", Kind.INFO, N_(
        "This is urgent. Please call a counselling service or a lawyer today.\n"
        "Important: applying here does not stop a deportation."),
             when=deportation_date_set, referral=("urgent",)),
    Question("heard_before", Kind.CHOICE, N_("Has the board already looked at your case before?"),
             label=N_("Case heard by the board before"), choices=YES_NO_UNSURE),
    Question("what_changed", Kind.STORY, N_(
        "The board looks at each case once. It can look again if something important has "
        "changed. What has changed since then? You can write or send a voice message."),
             label=N_("What has changed since then"), when=answered("heard_before", "yes"),
             max_length=2000),
    Question("petition", Kind.CHOICE, N_(
        "Did the NRW state parliament (Landtag) already look at your case in a petition?"),
             label=N_("Petition to the Landtag NRW"), choices=YES_NO_UNSURE,
             help=N_("A petition is a written request to the parliament of North "
                     "Rhine-Westphalia. If you are not sure, choose \"I don't know\".")),
    Question("hardship_commission", Kind.CHOICE, N_(
        "Did the hardship commission of NRW (Härtefallkommission) already look at your case?"),
             label=N_("Hardship commission NRW"), choices=YES_NO_UNSURE,
             help=N_("The hardship commission is a committee of the state. It can ask for a "
                     "residence permit in very hard cases. If you are not sure, choose "
                     "\"I don't know\".")),
    Question("excluded", Kind.INFO, N_(
        "The board cannot look at a case that the Landtag or the hardship commission already "
        "had. This is a rule of the board. An independent counselling service can tell you "
        "what else is possible. You can still go on. The secretariat will check."),
             when=any_of(answered("petition", "yes"), answered("hardship_commission", "yes")),
             referral=("counselling",)),
    Question("convicted", Kind.CHOICE, N_(
        "Were you ever found guilty of a crime by a court, in Germany or elsewhere?"),
             label=N_("Criminal convictions"), choices=YES_NO_UNSURE,
             help=N_("Please also tell us about small offences. The board must know. Serious "
                     "crimes usually exclude a hardship case.")),
    Question("conviction_details", Kind.STORY, N_(
        "Please tell us: what was it, when was it, and what was the sentence?"),
             label=N_("Convictions: offence, date, sentence"), when=answered("convicted", "yes"),
             max_length=2000),
    Question("serious_expulsion", Kind.CHOICE, N_(
        "Does your expulsion order name a very serious reason, like a serious crime or a "
        "danger to security?"),
             label=N_("Expulsion for a particularly serious reason"),
             when=answered("threat", "expulsion"), choices=YES_NO_UNSURE),
    Question("pending", Kind.MULTI, N_("Is one of these still open for you? Choose all that fit."),
             label=N_("Open procedures"), unknown=True, help=N_(
                 "A residence permit can be possible for well-integrated young people "
                 "(§25a), for well-integrated adults (§25b) or after long stays (§104c). "
                 "A Duldung for training or work: §60c and §60d."), choices=(
        Choice("asylum", N_("A follow-up asylum application")),
        Choice("court", N_("A court case")),
        Choice("permit", N_("An application for a residence permit")),
        Choice("work_duldung", N_("Applied for a training/work Duldung")),
        Choice("none", N_("None of these")))),
    Question("pending_note", Kind.INFO, N_(
        "Legal routes come first. A counselling service can check if one of them fits you. "
        "You can still go on."), when=has_pending_procedure, referral=("counselling",)),
))
