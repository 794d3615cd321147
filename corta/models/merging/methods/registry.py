"""The merge methods by name: mergekit's task-arithmetic family and averaging, and the methods beyond mergekit
(AIM, Sens-Merging, LoRE-Merging), imported when asked for so that the registry loads without them."""

from importlib import import_module

from corta.errors import ConfigError
from corta.models.merging.methods.average import AVERAGE
from corta.models.merging.methods.base import MergeMethod
from corta.models.merging.methods.dare import DARE_LINEAR, DARE_TIES
from corta.models.merging.methods.task_arithmetic import TASK_ARITHMETIC
from corta.models.merging.methods.ties import TIES

METHODS: dict[str, MergeMethod] = {
    "task_arithmetic": TASK_ARITHMETIC,
    "ties": TIES,
    "dare_ties": DARE_TIES,
    "dare_linear": DARE_LINEAR,
    "average": AVERAGE,
    "linear": AVERAGE,  # mergekit's name
}

_IMPORTED_ON_USE = {
    "aim": ("corta.models.merging.methods.aim", "AIM"),
    "sens": ("corta.models.merging.methods.sens", "SENS"),
    "lore": ("corta.models.merging.methods.lore", "LORE"),
}


def method_names() -> list[str]:
    """Every method's name (aliases included), sorted."""
    return sorted([*METHODS, *_IMPORTED_ON_USE])


def get_method(name: str) -> MergeMethod:
    """The method called ``name``.

    Raises
    ------
    ConfigError
        If no method has that name.
    """
    if name in METHODS:
        return METHODS[name]
    if name in _IMPORTED_ON_USE:
        module, attribute = _IMPORTED_ON_USE[name]
        method: MergeMethod = getattr(import_module(module), attribute)
        return method
    raise ConfigError(f"Unknown merge method {name!r}; the known methods are {', '.join(method_names())}.")
