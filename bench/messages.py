"""User-facing messages, in one catalogue so wording stays consistent and reviewable."""

SIGN_IN_FAILED = "Enter a correct email address and password"
SIGN_IN_REQUIRED = "Sign in to continue"
SIGNED_OUT = "You have signed out"
SESSION_ENDED = "Your session has ended. Sign in again to continue"
EMAIL_REQUIRED = "Enter your email address"
EMAIL_INVALID = "Enter an email address in the correct format, like name@example.gov.uk"
PASSWORD_REQUIRED = "Enter your password"
PASSWORD_TOO_SHORT = "Password must be {min} characters or more"
PASSWORD_TOO_LONG = "Password must be {max} characters or fewer"
NEW_PASSWORD_HINT = "At least 12 characters. A few unrelated words make a strong password."
PASSWORDS_DIFFER = "Passwords must match"
PASSWORD_COMMON = (
    "Password is one of the most common passwords, or one with numbers or symbols added. "
    "Choose one that is harder to guess, like a few unrelated words"
)
PASSWORD_REPETITIVE = (
    "Password must not be one character or word repeated, or a run of keys like 123456789 "
    "or qwertyuiop"
)
PASSWORD_PERSONAL = "Password must not contain your name or the first part of your email address"
REAUTH_TITLE = "Confirm your password"
REAUTH_NOTHING_DONE = "Nothing was changed. Confirm your password, then try again"
REAUTH_WRONG = "Enter your password correctly"
CURRENT_PASSWORD_WRONG = "Enter your current password correctly"
PASSWORD_CHANGED = "Your password has been changed. Other sessions have been signed out"
NAME_REQUIRED = "Enter the person's name"
ROLE_REQUIRED = "Select a role"
AUTHORITY_REQUIRED = "Select an authority"
EMAIL_TAKEN = "An account or invitation already uses this email address"
INVITATION_SENT = "Invitation sent to {email}. The link works until {expires}"
INVITATION_INVALID = "This invitation link is not valid. It may have expired or been used"
INVITATION_ACCEPTED = "Your account is ready"
USER_DEACTIVATED = "{name} can no longer sign in"
USER_REACTIVATED = "{name} can sign in again"
CANNOT_DEACTIVATE_SELF = "You cannot deactivate your own account"
TOO_MANY_ATTEMPTS = "Too many sign-in attempts. Wait 15 minutes, then try again"

# Known issues: flags and the issue-type catalogue.
ISSUE_TYPE_REQUIRED = "Enter the code of an issue type"
ISSUE_TYPE_UNKNOWN = "There is no issue type in the catalogue with this code"
ISSUE_TYPE_REPEATED = "This issue type is already answered in an earlier item"
FLAGS_REQUIRED = "Send at least one answer"
ANSWER_REQUIRED = "Select whether this is an issue for your authority"
FLAG_STATUS_REQUIRED = "Select whether the issue is open, improving or resolved"
SEVERITY_REQUIRED = "Select how severe the issue is: low, medium or high"
SINCE_INVALID = "Since when must be a real month and year, like 3 and 2021 (2021-03 in the API)"
SINCE_TOO_EARLY = "Since when must be in 1900 or later"
SINCE_IN_FUTURE = "Since when must be this month or earlier"
TRIED_TOO_LONG = "What you have tried must be {max} characters or fewer"
YES_OR_NO_INVALID = "Must be true or false"
FIELD_UNKNOWN = "Unknown field: remove it"
ITEM_INVALID = "Each item must be an object of named fields"
FLAG_RECORDED = "Your answer about {title} has been saved"
ISSUE_TITLE_REQUIRED = "Enter a title for the issue type"
ISSUE_TITLE_TOO_LONG = "The title must be {max} characters or fewer"
ISSUE_TITLE_TAKEN = "An issue type with this title already exists"
ISSUE_DESCRIPTION_TOO_LONG = "The description must be {max} characters or fewer"
INDICATOR_UNKNOWN = "Select indicators from the list"
ISSUE_TYPE_PROPOSED = "Your proposal {title} has been sent to the network admins"
ISSUE_TYPE_NOT_PROPOSED = "{title} is not awaiting approval"
ISSUE_TYPE_APPROVED = "{title} is now in the catalogue"
ISSUE_TYPE_REJECTED = "{title} has been rejected"
ISSUE_TYPE_RENAMED = "{title} has been saved"
MERGE_TARGET_REQUIRED = "Select the issue type to merge into"
MERGE_SOURCE_INVALID = "Only proposed or approved issue types can be merged"
ISSUE_TYPE_MERGED = "{title} has been merged into {target}"

# Publishing: answering the network's queries on figures.
QUERY_RESPONSE_REQUIRED = "Say why the figure is right"
QUERY_RESPONSE_TOO_LONG = "Your answer must be {max} characters or fewer"
QUERY_ANSWERED = "This query has been answered"
QUERY_CONFIRMED = "Thank you: the figure is confirmed"

# Catalogue: indicators, series breaks, periods (network admins)
NUMBER_FORMAT = "{label} must be a number using the digits 0 to 9, like 12.5 or -3"
INDICATOR_CODE_REQUIRED = "Enter a code"
INDICATOR_CODE_FORMAT = (
    "Code must use only capital letters A to Z, digits and hyphens, like ASCOF-2A"
)
INDICATOR_CODE_TAKEN = "Another indicator already uses this code"
INDICATOR_TITLE_REQUIRED = "Enter a title"
KEY_AREA_REQUIRED = "Select a key area"
UNIT_KIND_REQUIRED = "Select a unit kind"
MULTIPLIER_CHOICE = "Select a multiplier: 1, 100, 1,000 or 100,000"
POLARITY_REQUIRED = "Select a polarity"
COUNTS_NEED_RATIO = "Only proportions and rates can have numerators and denominators"
PLAUSIBLE_RANGE_ORDER = "Lowest plausible value must be less than or equal to the highest"
PERCENTAGE_RANGE = "A percentage's plausible values must be between 0 and 100"
DECIMALS_RANGE = "Decimal places must be a whole number from 0 to 6"
UNIT_KIND_LOCKED = (
    "You cannot change the unit kind: values have been published for this indicator. "
    "Create a new indicator instead"
)
CQC_QUALITY_STATEMENT_UNKNOWN = (
    "CQC quality statement must be one of QS1 to QS9 from the list, or none"
)
CQC_EVIDENCE_CATEGORY_UNKNOWN = "CQC evidence category must be one from the list, or none"
CQC_CATEGORY_NEEDS_STATEMENT = (
    "Select the CQC quality statement this evidence is for, or set the evidence category to none"
)
INDICATOR_CREATED = "Indicator {code} created"
INDICATOR_SAVED = "Indicator {code} saved"
BREAK_PERIOD_REQUIRED = "Select the period from which the series breaks"
BREAK_REASON_REQUIRED = "Enter the reason for the break"
BREAK_EXISTS = "This indicator already has a series break from this period"
BREAK_ADDED = "Series break from {period} added"
BREAK_REMOVED = "Series break from {period} removed"
PERIOD_CODE_REQUIRED = "Enter a code"
PERIOD_CODE_FORMAT = "Enter a code like 2023-24 for a financial year or 2023-24 Q1 for a quarter"
PERIOD_CODE_KIND = "A quarter's code ends in Q1 to Q4, like 2023-24 Q1; a financial year's does not"
PERIOD_CODE_TAKEN = "Another period already uses this code"
PERIOD_LABEL_REQUIRED = "Enter a label"
PERIOD_KIND_REQUIRED = "Select a kind of period"
DATE_REQUIRED = "Enter the {label}"
DATE_INVALID = "{label} must be a real date, like 1 4 2024"
PERIOD_ENDS_AFTER_START = "End date must be after the start date"
PERIOD_CREATED = "Period {code} created"
RELEASE_TIME_INVALID = "Enter a time on the 24-hour clock, like 09:30"
RELEASE_SET = "Peers see {code} from {when}"
RELEASE_CLEARED = "{code} has no release date"
RELEASE_ALREADY_SEEN = (
    "Peers have seen {code} since {when}. Its release can move earlier, but not into the future"
)
RELEASE_CANNOT_CLEAR = "Peers have seen {code} since {when}. Its release date cannot be cleared"

# Personal API tokens and the JSON API.
TOKEN_NAME_REQUIRED = "Enter a name for the token, like the program that will use it"
TOKEN_NAME_TOO_LONG = "Token name must be {max} characters or fewer"
TOKEN_SCOPE_REQUIRED = "Select what the token may do"
TOKEN_SCOPE_NOT_ALLOWED = "Your role cannot publish, so your tokens can only read"
TOKEN_MANAGE_NOT_ALLOWED = "Only authority admins can make tokens that manage"
TOKEN_EXPIRY_INVALID = "Enter a whole number of days from 1 to {max}, or leave it empty"
TOKEN_REVOKED = "The token {name} has been revoked. Programs using it can no longer connect"
API_TOKEN_REQUIRED = "Send a live personal API token in the header 'Authorization: Bearer <token>'"
API_FORBIDDEN = "Your role or this token's scope does not allow this request"
API_NOT_FOUND = "There is nothing at this address"
API_BAD_JSON = "The request body must be a JSON object"
API_VALIDATION_FAILED = "The request broke {count} rule{s}; nothing was written"
API_SERVER_ERROR = "Something went wrong on our side; nothing was written"
API_UNAVAILABLE = "The service is unavailable for a moment; try again after Retry-After seconds"

# Peer groups: published nearest-neighbour imports (network admins), custom groups.
PEER_IMPORT_FILE_REQUIRED = "Select a CSV or JSON file to upload"
PEER_IMPORT_FILE_KIND = "The file must be a CSV file (.csv) or a JSON file (.json)"
PEER_IMPORT_EMPTY = "The file has no neighbour lists"
PEER_IMPORT_NOT_JSON = "The file is not a valid JSON file: {error}"
PEER_IMPORT_JSON_SHAPE = (
    "The file must be a JSON object from each authority's GSS code to a list of GSS codes"
)
PEER_IMPORT_CODE_REQUIRED = "Enter a GSS code"
PEER_IMPORT_CODE_UNKNOWN = "There is no authority with the GSS code '{code}'"
PEER_IMPORT_PAIR_REPEATED = "{authority} lists {neighbour} more than once"
PEER_IMPORT_SELF_ONLY = "{code} has no neighbours other than itself"
PEER_IMPORT_TOO_LONG = "{code} has {count} neighbours: a list may have at most {limit}"
PEER_IMPORT_ROW_SHAPE = "The row has {count} cells: it must have 2 (authority, neighbour)"
PEER_IMPORT_STALE = "The checked lists were changed: upload the file again"
PEER_IMPORT_CLASH = (
    "Another import was confirmed at the same moment or since you checked your file, so "
    "yours was not imported: version {version} is now the newest. Check the versions, then "
    "upload your file again"
)
PEER_GROUPS_IMPORTED = "Imported version {version}: {authorities} authorities, {pairs} neighbours"
CUSTOM_GROUP_NAME_REQUIRED = "Enter a name for the group"
CUSTOM_GROUP_NAME_TOO_LONG = "Name must be 120 characters or fewer"
CUSTOM_GROUP_NAME_TAKEN = "Your authority already has a group with this name"
CUSTOM_GROUP_TOO_FEW = "Select at least {k} councils: fewer would show no figures"
CUSTOM_GROUP_MEMBER_UNKNOWN = "Select councils from the list"
CUSTOM_GROUP_SELF = "Your own council is always compared: do not select it"
CUSTOM_GROUP_OVERLAP = (
    "This group overlaps your other groups (published and computed neighbours, same type, "
    "same region, all councils and your saved groups) so closely that, compared with them, "
    "it would single out fewer than {k} councils whose figures could then be worked out "
    "({when}). Add or remove councils so that it sets none apart, or at least {k} together"
)
CUSTOM_GROUP_LIMIT = (
    "Your authority has {count} saved groups, the most it may have: delete one first"
)
CUSTOM_GROUP_SAVED = "Saved the group {name}"
CUSTOM_GROUP_DELETED = "Deleted the group {name}"
# Who is in each peer group (membership is public; figures never shown beside it).
GROUP_PUBLISHED_NEWEST = (
    "The newest published list of your nearest neighbours (version {version}): {source}."
)
GROUP_PUBLISHED_OLDER = (
    "Version {version} of your published nearest neighbours, since replaced: {source}."
)
GROUP_COMPUTED = (
    "Worked out by bench: the {k} current councils closest to yours on {figures}, each "
    "figure standardised (as a z-score) so that no one figure outweighs the others."
)
GROUP_SAME_TYPE = "Current councils of the same type as yours ({type})."
GROUP_SAME_REGION = "Current councils in the same region as yours ({region})."
GROUP_CUSTOM = "A custom group saved by your council."
# How context figures are named in sentences; a figure not listed is named by its key.
CONTEXT_FIGURE_WORDS = {
    "adults_18_plus": "adults aged 18 and over",
    "share_aged_65_plus": "the share aged 65 and over",
    "deprivation_score": "the deprivation score",
    "rural_share": "the share living in rural areas",
}

# Alerts.
FOLLOW_TARGET_REQUIRED = "Say which indicator or issue type to follow"
FOLLOW_ONE_TARGET = "Follow one indicator or one issue type at a time"
FOLLOW_INDICATOR_UNKNOWN = "There is no indicator with this code"
FOLLOW_NOT_FOLLOWING = "You do not follow this"
FOLLOWED = "You now follow {title}. bench will tell you here and by email when it changes"
UNFOLLOWED = "You no longer follow {title}"
NOTIFICATIONS_READ = "All your notifications are marked as read"

# Inspector grants: an authority admin lets a named inspector see the authority's figures.
TOKEN_MANAGE_NOT_ALLOWED = "Only authority admins can make tokens that manage"
GRANT_INSPECTOR_REQUIRED = "Enter the email address of the inspector"
GRANT_INSPECTOR_UNKNOWN = (
    "Enter the email address of an active inspector account, like inspector@example.gov.uk"
)
GRANT_START_INVALID = (
    "Enter the start as a date and time with a time zone, like 2027-04-01T09:00:00Z"
)
GRANT_END_INVALID = "Enter the end as a date and time with a time zone, like 2027-06-30T17:00:00Z"
GRANT_END_REQUIRED = "Enter when the grant ends"
GRANT_START_IN_PAST = "The start must be today or later, not in the past"
GRANT_START_TOO_LATE = "The start must be within a year from today"
GRANT_END_BEFORE_START = "The end must be after the start"
GRANT_TOO_LONG = "A grant can last at most a year: end it sooner"
GRANT_REASON_REQUIRED = "Enter the reason for the grant"
GRANT_REASON_TOO_LONG = "The reason must be {max} characters or fewer"
GRANT_GIVEN = "{name} can see your authority's figures from {starts} until {ends}"
GRANT_REVOKED = "{name} can no longer see your authority's figures"
GRANT_ALREADY_ENDED = "This grant has already ended"

# The inspector's network view.
NETWORK_TOO_FEW = "fewer than {k} councils published a figure for {period}"
NETWORK_ISSUE_TOO_FEW = "fewer than {k} councils have answered about this issue"
NETWORK_WITHHELD_BY_GRANT = (
    "shown beside the comparison pages of an authority you hold a grant for, these figures "
    "would single out fewer than {k} councils, so they are not shown while the grant lasts"
)

# Input no field may hold (bench.validation): PostgreSQL cannot store a NUL character.
NUL_CHARACTER = (
    "‘{field}’ contains a null character, which bench cannot store. Remove it and try again"
)

# Allies (DESIGN.md, Anonymity 7): a decline reads to the asker exactly as silence.
ALLY_MESSAGE_REQUIRED = "Say what you would like to learn from them"
ALLY_MESSAGE_TOO_LONG = "Your message must be {max} characters or fewer"
ALLY_CONTACT_NAME_REQUIRED = "Enter the name of the person they should contact"
ALLY_CONTACT_NAME_TOO_LONG = "The contact's name must be {max} characters or fewer"
ALLY_CONTACT_EMAIL_REQUIRED = "Enter the email address they should use"
# Free text of every area (bench.validation.printable): tabs and line breaks are text.
CONTROL_CHARACTERS = "Remove the control characters (such as NUL) from this text"
ALLY_CONTROL_CHARACTERS = CONTROL_CHARACTERS
ALLY_ASK_OPEN = (
    "You already asked about this issue: your request is open until {expires}. "
    "Ask again once it has closed"
)
ALLY_REQUEST_SENT = (
    "Your request was sent to the peers open to contact about this issue. "
    "If any of them accept, you will see who they are on this page"
)
ALLY_REQUEST_ACCEPTED = "You are now allies with {name}"
ALLY_REQUEST_DECLINED = "You declined the request. The council that asked is not told"
ALLY_REQUEST_ANSWERED = "This request has already been answered"
ALLY_REQUEST_EXPIRED = "This request has expired"
ALLY_ALREADY_ALLIES = "You are already allies with this council"
ALLIANCE_ENDED = "The alliance has ended. Neither council sees the other's name any more"
ALLIANCE_ALREADY_ENDED = "This alliance has already ended"
# Notifications and emails name nobody: they outlive the alliance and cannot be unsent.
ALLY_NOTICE_RECEIVED = (
    "A council asks to contact you about {issue}",
    "A council would like to talk to you about {issue}. See who asks and why, and "
    "answer by {expires}, on the Allies page.",
)
ALLY_NOTICE_ACCEPTED = (
    "A council accepted your request about {issue}",
    "You are now allies: see who they are and whom to contact on the Allies page.",
)
ALLY_NOTICE_ENDED = (
    "An alliance has ended",
    "The other council ended an alliance with yours. Neither council sees the other's "
    "name any more.",
)
ALLY_NOTICE_CLOSED = (
    "Your request about {issue} has closed",
    "Requests stay open for {days} days. Councils that accepted yours are on the Allies page.",
)
# How an email ends, by notification kind (the alerts check's own by default).
EMAIL_FOOTERS = {
    "ally_request": "You receive this as an authority admin of your council in bench.",
    "ally_accepted": "You receive this as an authority admin of your council in bench.",
    "ally_ended": "You receive this as an authority admin of your council in bench.",
    "ally_closed": "You receive this as an authority admin of your council in bench.",
}

# Reviews, updates and pinned comparisons.
REVIEW_TITLE_REQUIRED = "Enter a title for the review"
REVIEW_TITLE_TOO_LONG = "The title must be {max} characters or fewer"
REVIEW_SCOPE_TOO_LONG = "The service in scope must be {max} characters or fewer"
REVIEW_SCOPE_INVALID = "Describe the service in scope as text (it may be empty)"
REVIEW_FIELD_MISSING = "Send {field}: a PUT replaces every field of the review (null where allowed)"
REVIEW_CONTROL_CHARACTERS = "Remove the control characters from this text"
REVIEW_KEY_AREAS_REQUIRED = "Select at least one key area the review watches"
REVIEW_KEY_AREA_UNKNOWN = "Select key areas from the list"
REVIEW_PERIOD_REQUIRED = "Select the period the review covers"
REVIEW_PERIOD_UNKNOWN = "Select a period from the list"
REVIEW_STARTS_REQUIRED = "Enter the date the review starts"
REVIEW_DATE_INVALID = "Enter a real date as year-month-day, like 2027-04-01"
REVIEW_ENDS_BEFORE_START = "The end date must be the same as or after the start date"
REVIEW_STATUS_UNKNOWN = "Select the review's status from the list"
REVIEW_PREVIOUS_UNKNOWN = "Select one of your authority's earlier reviews"
REVIEW_PREVIOUS_ITSELF = "A review cannot be its own previous review"
REVIEW_PREVIOUS_LATER = "The previous review must start before this one"
REVIEW_PREVIOUS_LOOP = (
    "That review already follows this one, so it cannot come before it: choose an earlier review"
)
REVIEW_TEAM_INVALID = "Send the team as a list of people"
REVIEW_TEAM_TOO_LARGE = "A team can have at most {max} people"
REVIEW_TEAM_MEMBER_REQUIRED = "Choose a colleague or enter the name of someone without an account"
REVIEW_TEAM_NAME_TOO_LONG = "The name must be {max} characters or fewer"
REVIEW_TEAM_ROLE_REQUIRED = "Select the person's role on the team"
REVIEW_TEAM_USER_UNKNOWN = "Choose a colleague from the list of your authority's active users"
REVIEW_TEAM_REPEATED = "This colleague is already on the team"
REVIEW_LOCK_REQUIRED = "Send the lock_version of the review as you last read it"
REVIEW_STALE = (
    "Someone else saved this review after you opened it. Their version is shown; your "
    "changes are still in the form. Check both, then save again to replace theirs"
)
REVIEW_NOT_ON_TEAM = (
    "You are not on this review's team. Only the team and your authority's admins can "
    "change the review, post updates or pin comparisons"
)
REVIEW_STARTED = "The review has been started. You are on its team as the lead"
REVIEW_SAVED = "Your changes to the review have been saved"
REVIEW_TEAM_SAVED = "The review's team has been saved"
UPDATE_KIND_UNKNOWN = "Select what kind of update this is"
UPDATE_BODY_REQUIRED = "Write the update"
UPDATE_BODY_TOO_LONG = "The update must be {max} characters or fewer"
UPDATE_POSTED = "Your update has been posted. Everyone in your authority can read it"
PIN_INDICATOR_UNKNOWN = "Select an indicator from the list"
PIN_PERIOD_UNKNOWN = "Select a released period from the list"
PIN_GROUP_UNKNOWN = "Select one of your peer groups from the list"
PIN_NOTE_TOO_LONG = "The note must be {max} characters or fewer"
PIN_NOTE_INVALID = "Write the note as text (it may be empty)"
PIN_WITHHELD = (
    "{group} cannot be pinned for this indicator in {period}: {why}. Choose another group"
)
PIN_NO_FIGURE = (
    "Your authority has no figure for {indicator} in {period}, so there is nothing to pin"
)
PINNED = "The comparison has been pinned to the review, as it stands today"
# (reviews: end)

# Visits, notes, sharing, host responses and good practice.
VISIT_KIND_REQUIRED = "Select whether this was a visit or a meeting"
VISIT_DATE_REQUIRED = "Enter the date of the visit"
VISIT_DATE_INVALID = "Date must be a real date, like 12 9 2024 (2024-09-12 in the API)"
VISIT_DATE_OUT_OF_RANGE = "Date must be between 2000 and 5 years from now"
VISIT_TITLE_REQUIRED = "Enter a title for the visit"
VISIT_TITLE_TOO_LONG = "Title must be {max} characters or fewer"
VISIT_STATUS_INVALID = "Select whether the visit is planned, held or written up"
VISIT_TEXT_TOO_LONG = "{label} must be {max} characters or fewer"
VISIT_CONTROL_CHARACTERS = "{label} must not contain control characters"
VISIT_LIST_INVALID = "{label} must be a list of codes"
VISIT_REVIEW_UNKNOWN = "Choose one of your council's reviews, or none"
VISIT_HOST_NOT_ALLY = (
    "Choose one of your allies as the host, or a council that is not an ally (which is never named)"
)
VISIT_VISITOR_UNKNOWN = "Choose who went from your council's active users"
VISIT_ISSUE_TYPE_UNKNOWN = "Choose issue types from the catalogue"
VISIT_INDICATOR_UNKNOWN = "Choose indicators from the catalogue"
VISIT_CHANGED_SINCE = (
    "This visit has been changed since you opened it. Your changes were not saved: check "
    "the visit and make them again"
)
VISIT_RECORDED = "Visit recorded"
VISIT_SAVED = "Visit saved"
NOTE_SECTION_REQUIRED = "Select the section the note belongs in"
NOTE_BODY_REQUIRED = "Enter the note"
NOTE_BODY_TOO_LONG = "The note must be {max} characters or fewer"
NOTE_SUMMARY_TOO_LONG = "The summary of your changes must be {max} characters or fewer"
NOTE_REVISION_REQUIRED = "Send the number of the revision your edit started from"
NOTE_CONFLICT = "This note has been saved since you opened it"
NOTE_CONFLICT_API = (
    "This note has been saved since you opened it: its current revision is {revision}. "
    "Nothing was saved. Send your text again with revision {revision} to apply it"
)
NOTE_SAVED = "Note saved"
NOTE_REVISED = "Note saved as revision {number}"
NOTE_DELETED = "Note deleted. Its revisions are kept"
DRAFT_SAVED = "Draft saved at {time}"
DRAFT_DISCARDED = "Draft discarded"
DRAFT_NOTHING = "There is no draft to restore: it was published, discarded or has expired"
DRAFTS_WAITING = (
    "You have {count} unsaved draft{s} of visit notes, kept from before you signed in. "
    "Restore or discard {them} from Visits"
)
# (visits: end)

# Sharing notes: levels, host replies and corrections, inspector consent, good practice.
SHARE_LEVEL_REQUIRED = "Select who to share the note with"
SHARE_LEVEL_UNKNOWN = "Select the host, all allies or inspectors"
SHARE_LEVEL_GOOD_PRACTICE = (
    "Share with the whole network by making an edited good-practice copy of the note"
)
SHARE_NO_HOST = "This visit names no host council to share the note with"
SHARE_HOST_NOT_ALLY = "The host council is not your ally now, so the note cannot be shared with it"
SHARE_ALREADY = "The note is already shared at this level"
SHARE_NOT_SHARED = "The note is not shared at this level"
# How each level reads in a sentence ("The note is now shared with the host").
SHARE_LEVEL_WORDS = {
    "host": "with the host",
    "allies": "with all allies",
    "inspector": "with inspectors",
}
SHARE_ADDED = "The note is now shared {level}"
SHARE_REVOKED = "The note is no longer shared {level}"
SHARE_CONTROL_CHARACTERS = CONTROL_CHARACTERS
REPLY_REQUIRED = "Enter your reply"
REPLY_TOO_LONG = "Your reply must be {max:,} characters or fewer"
REPLY_POSTED = "Your reply was posted. The council that wrote the note can read it"
CORRECTION_TEXT_REQUIRED = "Enter the note's text as you propose it"
CORRECTION_TEXT_TOO_LONG = "The corrected text must be {max:,} characters or fewer"
CORRECTION_TEXT_UNCHANGED = "Change the text: it is the same as the note's"
CORRECTION_REASON_REQUIRED = "Enter the reason for the correction"
CORRECTION_REASON_TOO_LONG = "The reason must be {max:,} characters or fewer"
CORRECTION_REVISION_INVALID = "The revision you corrected is not one of this note's"
CORRECTION_POSTED = (
    "Your correction was sent. The council that wrote the note will accept or decline it"
)
CORRECTION_ACCEPTED = "The correction was accepted: it is now the note's text"
CORRECTION_DECLINED = "The correction was declined"
CORRECTION_DECIDED = "This correction has already been accepted or declined"
CORRECTION_STALE = (
    "The note has changed since the host proposed this correction. Compare the two "
    "versions, then confirm to replace the note's current text"
)
CORRECTION_SUMMARY = "Correction from the host accepted"
CONSENT_DECISION_UNKNOWN = "Select whether inspectors may see your council named"
CONSENT_NOT_ASKED = "This note is not shared with inspectors, so there is nothing to consent to"
CONSENT_GIVEN = "Inspectors may now see your council named on this note"
CONSENT_REFUSED = "Inspectors will see your council only as an ally on this note"
CONSENT_WITHDRAWN = "You withdrew your consent: inspectors see your council only as an ally"
GOOD_PRACTICE_TITLE_REQUIRED = "Enter a title"
GOOD_PRACTICE_TITLE_TOO_LONG = "The title must be {max:,} characters or fewer"
GOOD_PRACTICE_BODY_REQUIRED = "Enter the good practice"
GOOD_PRACTICE_BODY_TOO_LONG = "The text must be {max:,} characters or fewer"
GOOD_PRACTICE_BODY_UNEDITED = (
    "Edit the copy to take out anything that identifies a council, a person or a service: "
    "it is still the note's text word for word"
)
GOOD_PRACTICE_KEY_AREA_UNKNOWN = "Select a key area from the list"
GOOD_PRACTICE_ISSUE_TYPE_UNKNOWN = "Select an issue type from the list"
GOOD_PRACTICE_INDICATOR_UNKNOWN = "Select an indicator from the list"
GOOD_PRACTICE_CHECKLIST = {
    "no_place_names": "Confirm that the copy names no place",
    "no_service_names": "Confirm that the copy names no service or product",
    "no_staff_names": "Confirm that the copy names no member of staff",
    "no_matching_figures": "Confirm that no figure in the copy matches a published value",
}
GOOD_PRACTICE_HARD_FINDINGS = (
    "Take out the identifying details the check found before publishing ({count} found)"
)
GOOD_PRACTICE_CHECK_AGAIN = (
    "The check found details that may identify a council, person or service. Read them, "
    "edit the copy if you need to, and confirm again"
)
GOOD_PRACTICE_SCHEDULED = "Your good-practice copy will appear to the whole network on {date}"
GOOD_PRACTICE_WAITING = (
    "Your good-practice copy will appear to the whole network on the date of the next "
    "release round, once one is scheduled"
)
GOOD_PRACTICE_WITHDRAWN = "Your good-practice copy was withdrawn: nobody else sees it any more"
GOOD_PRACTICE_ALREADY_WITHDRAWN = "This good-practice copy has already been withdrawn"
GOOD_PRACTICE_FILTER_UNKNOWN = "There is no {field} with this code"
# What the identifying-details check says it found (hard findings block publishing).
FINDING_AUTHORITY = "“{text}” names a council (or is its code)"
FINDING_EMAIL = "“{text}” is an email address"
FINDING_PHONE = "“{text}” is a phone number"
FINDING_URL = "“{text}” is a web address: check that it does not lead to a council"
FINDING_FIGURE = "“{text}” matches a published figure of your council or the host's"
FINDING_NAME = "“{text}” may name a person or a service"
# (sharing: end)

# Follow-up actions.
ACTION_DESCRIPTION_REQUIRED = "Describe the action"
ACTION_DESCRIPTION_TOO_LONG = "The description must be {max} characters or fewer"
ACTION_CONTROL_CHARACTERS = CONTROL_CHARACTERS
ACTION_SOURCE_REQUIRED = "Choose where the action came from: a visit, a review or a staff view"
ACTION_SOURCE_ID_REQUIRED = {
    "visit": "Choose the visit the action came from",
    "staff_view": "Give the staff view the action answers",
}
ACTION_SOURCE_UNKNOWN = {
    "visit": "Choose one of your authority's visits",
    "review": "Choose one of your authority's reviews",
    "staff_view": "Give the id of one of your authority's staff views",
}
# The id itself is malformed (not text, or longer than any id): which kind is asked for
# is not yet known, so one message serves every source.
ACTION_SOURCE_ID_INVALID = "Give the id of the visit, review or staff view the action came from"
ACTION_REVIEW_UNKNOWN = "Choose one of your authority's reviews"
ACTION_REVIEW_NOT_SOURCE = (
    "An action from a review belongs to that review: choose the same review, or none"
)
ACTION_OWNER_REQUIRED = (
    "Choose who owns the action, or enter the name of someone without an account"
)
ACTION_OWNER_BOTH = "Choose a user or enter the name of someone without an account, not both"
ACTION_OWNER_UNKNOWN = "Choose an active user of your authority"
ACTION_OWNER_NAME_TOO_LONG = "The owner's name must be {max} characters or fewer"
ACTION_STATUS_INVALID = "Choose open, in progress, done or dropped"
ACTION_RAG_INVALID = "Choose red, amber or green"
ACTION_INDICATOR_UNKNOWN = "Choose an indicator from the list"
ACTION_INDICATOR_REQUIRED = "Choose the indicator that the baseline and target are for"
ACTION_MEASURE_REQUIRED = {
    "baseline_period": "Choose the baseline period",
    "baseline_value": "Enter the baseline value",
    "target_value": "Enter the target value",
    "target_period": "Choose the period the target is for",
}
ACTION_PERIOD_UNKNOWN = "Choose a period from the list"
ACTION_PERIOD_CLOSED = (
    "Choose a period that has been released, or one still to come: {period} has ended "
    "and no release is set for it"
)
ACTION_TARGET_NOT_AFTER = "The target period must come after the baseline period"
ACTION_TARGET_WRONG_WAY = (
    "The target must be no {worse} than the baseline: {polarity} for this indicator"
)
ACTION_NOTE_TOO_LONG = "The note must be {max} characters or fewer"
ACTION_NOTE_INVALID = "The note must be text"
ACTION_LOCK_VERSION_REQUIRED = (
    "Send lock_version: the action's version as you last read it, a whole number"
)
ACTION_NOTHING_CHANGED = "Change the status, rating, due date or owner, or write a note"
ACTION_STALE = (
    "Someone else updated this action since you opened it, so your update was not saved. "
    "Its latest state is shown: check it, then make your change again"
)
ACTION_CARRIED_FROZEN = (
    "This action was carried forward into another review: update it there instead"
)
ACTION_FILTER_STATUS_INVALID = "status must be open, in_progress, done, dropped or carried_forward"
ACTION_FILTER_OVERDUE_INVALID = "overdue must be true or false"
ACTION_FILTER_UNKNOWN = "Choose a {name} from the list"
ACTION_NO_PREVIOUS_REVIEW = "This review has no previous review to carry actions from"
ACTION_CREATED = "The action has been added"
ACTION_UPDATED = "Your update has been saved"
ACTIONS_CARRIED = "{count} unfinished action{s} carried forward from {review}"
ACTIONS_NOTHING_TO_CARRY = (
    "Nothing to carry: every action of {review} is finished or already carried forward"
)
# Written into the history of the actions carried (Markdown: the title is escaped).
ACTION_CARRIED_FROM_NOTE = "Carried forward from {review}"
ACTION_CARRIED_INTO_NOTE = "Carried forward into {review}"
# (actions: end)

# Staff views ("you said, we did").
STAFF_VIEW_KEY_AREA_REQUIRED = "Select the key area your view is about"
STAFF_VIEW_BODY_REQUIRED = "Write your view"
STAFF_VIEW_BODY_TOO_LONG = "Your view must be {max} characters or fewer"
STAFF_VIEW_ANONYMITY_REQUIRED = "Select whether to give your view anonymously or with your name"
STAFF_VIEW_REVIEW_UNKNOWN = "Select one of your council's reviews that is still taking views"
STAFF_VIEW_CONTROL_CHARACTERS = CONTROL_CHARACTERS
STAFF_VIEW_PER_DAY = (
    "You have given {limit} views today, the most one person can give in a day. "
    "You can give more tomorrow"
)
STAFF_VIEW_GIVEN_ANONYMOUSLY = (
    "Thank you. Your view has been recorded anonymously: nothing kept with it says who gave it"
)
STAFF_VIEW_GIVEN_NAMED = "Thank you. Your view has been recorded with your name"
STAFF_VIEW_RESPONSE_REQUIRED = "Write what the team did, or will do"
STAFF_VIEW_RESPONSE_TOO_LONG = "The response must be {max} characters or fewer"
STAFF_VIEW_ACTION_UNKNOWN = "Select one of your council's follow-up actions"
STAFF_VIEW_HIDE_REASON_REQUIRED = "Say why the view is hidden"
STAFF_VIEW_HIDE_REASON_TOO_LONG = "The reason must be {max} characters or fewer"
STAFF_VIEW_HIDDEN_CANNOT_RESPOND = "This view is hidden: show it again before responding"
STAFF_VIEW_ALREADY_HIDDEN = "This view is already hidden"
STAFF_VIEW_NOT_HIDDEN = "This view is not hidden"
STAFF_VIEW_RESPONDED = "Your response has been saved. Every user of your council can now read it"
STAFF_VIEW_HIDDEN = "The view is hidden. Staff no longer see it; the team sees it with the reason"
STAFF_VIEW_UNHIDDEN = "The view is shown again"
STAFF_VIEWS_NOT_ON_TEAM = "Only a review team sees staff views as they come in"
STAFF_VIEWS_WAITING = "fewer than 5 anonymous views waiting"
# (staff views: end)

# Search.
SEARCH_WORDS_REQUIRED = "Enter words to search for"
SEARCH_TOO_LONG = "Search words must be {max} characters or fewer"
SEARCH_TOO_MANY_WORDS = "Enter {max} words or fewer"
SEARCH_NO_WORDS = "Enter words that have letters or numbers in them"
SEARCH_KIND_INVALID = "Select what to search: notes, review updates, actions or good practice"
SEARCH_KEY_AREA_INVALID = "Select one of the five key areas"
SEARCH_ISSUE_TYPE_UNKNOWN = "No issue type has this code"
SEARCH_INDICATOR_UNKNOWN = "No indicator has this code"
SEARCH_REVIEW_UNKNOWN = "Select one of your council's reviews"
SEARCH_DATE_INVALID = "{label} must be a real date written like 2025-03-31"
SEARCH_DATES_REVERSED = "The date to must be the same as or after the date from"
# (search: end)
