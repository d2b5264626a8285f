from typing import Any

from django.db.models import Manager, Model

class HistoryManager(Manager[Any]): ...

class HistoricalRecords:
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...
    def contribute_to_class(self, cls: type[Model], name: str) -> None: ...
    # On the model the attribute is a descriptor that gives the history manager.
    def __get__(self, instance: Model | None, owner: type[Model]) -> HistoryManager: ...

class HistoricalChanges:
    def diff_against(
        self,
        old_history: HistoricalChanges,
        excluded_fields: Any = ...,
        included_fields: Any = ...,
        *,
        foreign_keys_are_objs: bool = ...,
    ) -> Any: ...

class DeletedObject:
    model: type[Model]
    pk: Any
    def __init__(self, model: type[Model], pk: Any) -> None: ...

def __getattr__(name: str) -> Any: ...
