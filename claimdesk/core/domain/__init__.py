"""The claim's vocabulary and the dataclasses that cross the workflow's boundary.

Standard library only: the workflow sandbox imports this package, and every message
to or from the workflow is one of these dataclasses, so fields can be added (with
defaults) without breaking claims already running. Import from here, not from the modules:
`vocabulary` (the enums), `inputs` (what goes into the workflow), `views` (what it
reports) and `orders` (what it hands its activities, and their answers).

The modules do without `from __future__ import annotations`, and each class comes after
the classes it names: the workflow sandbox passes this package through but not its
modules, so pydantic, decoding a payload there, cannot look a string annotation up in
the module that holds the class ("`TypeAdapter[ClaimInput]` is not fully defined").
"""

from __future__ import annotations

from claimdesk.core.domain.inputs import (
    CURRENT_EDITION,
    Actor,
    Answered,
    CarriedState,
    ClaimInput,
    CloseRequest,
    Contact,
    Decision,
    Findings,
    InfoRequest,
    InternalNote,
    MerchantReinstated,
    MerchantResponse,
    MerchantTerminated,
    MessageMails,
    Outcome,
    Policy,
    PostMessage,
    Proposal,
    ProposalAnswer,
    SatisfactionAnswer,
    TransactionRef,
)
from claimdesk.core.domain.orders import (
    MailBatch,
    MailOrder,
    MailReceipt,
    MailRefusal,
    Projection,
    StrikeInput,
    StrikeResult,
    without_addresses,
)
from claimdesk.core.domain.views import (
    ClaimView,
    TimelineEvent,
)
from claimdesk.core.domain.vocabulary import (
    CATEGORIES,
    MONETARY_OUTCOMES,
    Action,
    Category,
    ClosedReason,
    Deadline,
    DecisionOutcome,
    EventKind,
    Locale,
    MerchantAction,
    ProposalKind,
    Recipient,
    Role,
    Standing,
    Status,
    Subject,
    Template,
)

__all__ = [
    "CATEGORIES",
    "CURRENT_EDITION",
    "MONETARY_OUTCOMES",
    "Action",
    "Actor",
    "Answered",
    "CarriedState",
    "Category",
    "ClaimInput",
    "ClaimView",
    "CloseRequest",
    "ClosedReason",
    "Contact",
    "Deadline",
    "Decision",
    "DecisionOutcome",
    "EventKind",
    "Findings",
    "InfoRequest",
    "InternalNote",
    "Locale",
    "MailBatch",
    "MailOrder",
    "MailReceipt",
    "MailRefusal",
    "MerchantAction",
    "MerchantReinstated",
    "MerchantResponse",
    "MerchantTerminated",
    "MessageMails",
    "Outcome",
    "Policy",
    "PostMessage",
    "Projection",
    "Proposal",
    "ProposalAnswer",
    "ProposalKind",
    "Recipient",
    "Role",
    "SatisfactionAnswer",
    "Standing",
    "Status",
    "StrikeInput",
    "StrikeResult",
    "Subject",
    "Template",
    "TimelineEvent",
    "TransactionRef",
    "without_addresses",
]
