from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model

_M = TypeVar("_M", bound=Model)

def bulk_create_with_history(
    objs: Iterable[_M],
    model: type[_M],
    batch_size: int | None = ...,
    ignore_conflicts: bool = ...,
    default_user: AbstractBaseUser | None = ...,
    default_change_reason: str | None = ...,
    default_date: datetime | None = ...,
    custom_historical_attrs: dict[str, Any] | None = ...,
) -> list[_M]: ...
def get_history_model_for_model(model: type[Model]) -> type[Model]: ...
def __getattr__(name: str) -> Any: ...
