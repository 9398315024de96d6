"""Per-user limits that differ from the settings: read by the rate limiter, set by staff with
`manage.py user_limits`."""

from __future__ import annotations

from adapters.orm.models import UserLimitsRecord


class DjangoRateOverrides:
    def submit_rate(self, user_id: int) -> str | None:
        found = UserLimitsRecord.objects.filter(owner_id=user_id).values_list("submit_rate_limit", flat=True).first()
        return found or None


def set_submit_rate(user_id: int, rate: str | None) -> None:
    """The user's own submission rate ("0": no limit); None goes back to SUBMIT_RATE_LIMIT."""
    if rate is None:
        UserLimitsRecord.objects.filter(owner_id=user_id).delete()
    else:
        UserLimitsRecord.objects.update_or_create(owner_id=user_id, defaults={"submit_rate_limit": rate})
