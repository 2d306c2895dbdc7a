"""Pure policy rules of the welfare service: dibao categories and benefits, extreme-poverty
support, temporary relief, the registry cross-check and the procedure's dates (WEL-1 to WEL-8).
Each module's docstring says how it reads the seeds."""

from services.welfare.rules.benefits import (
    DibaoBenefit,
    HouseholdBenefitFacts,
    MemberBenefit,
    dibao_benefit,
)
from services.welfare.rules.categories import (
    CategoryFacts,
    CategoryProposal,
    DibaoCategory,
    MemberFacts,
    WorkAbility,
    gradual_exit_until,
    propose_category,
    review_due,
)
from services.welfare.rules.crosscheck import (
    CrossCheckFinding,
    FindingKind,
    RegistryPerson,
    cross_check,
)
from services.welfare.rules.procedure import public_notice_end, referral_deadline
from services.welfare.rules.relief import (
    MonthlySpending,
    ReliefAmount,
    ReliefEligibility,
    ReliefKind,
    SpendingTrigger,
    essential_spending_trigger,
    relief_amount,
    relief_eligible,
)
from services.welfare.rules.tekun import Occupancy, SelfCare, TekunSupport, occupancy, tekun_support

__all__ = [
    "CategoryFacts",
    "CategoryProposal",
    "CrossCheckFinding",
    "DibaoBenefit",
    "DibaoCategory",
    "FindingKind",
    "HouseholdBenefitFacts",
    "MemberBenefit",
    "MemberFacts",
    "MonthlySpending",
    "Occupancy",
    "RegistryPerson",
    "ReliefAmount",
    "ReliefEligibility",
    "ReliefKind",
    "SelfCare",
    "SpendingTrigger",
    "TekunSupport",
    "WorkAbility",
    "cross_check",
    "dibao_benefit",
    "essential_spending_trigger",
    "gradual_exit_until",
    "occupancy",
    "propose_category",
    "public_notice_end",
    "referral_deadline",
    "relief_amount",
    "relief_eligible",
    "review_due",
    "tekun_support",
]
