import datetime as dt
from typing import Any

from django import forms

class DateInputField(forms.MultiValueField):
    def __init__(self, **kwargs: Any) -> None: ...
    def compress(self, data_list: Any) -> dt.date | None: ...

def __getattr__(name: str) -> Any: ...
