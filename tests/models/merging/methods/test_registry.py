"""The registry: every method by name, mergekit's aliases and defaults, and an error naming the known methods."""

import pytest

from corta.errors import ConfigError
from corta.models.merging.methods.average import AVERAGE
from corta.models.merging.methods.base import MethodParameters
from corta.models.merging.methods.registry import METHODS, get_method, method_names

MERGEKIT_FAMILY = ["task_arithmetic", "ties", "dare_ties", "dare_linear"]


def test_every_method_is_found_by_its_name():
    for name, method in METHODS.items():
        assert get_method(name) is method
        assert method.name == name or (name, method) == ("linear", AVERAGE)
        assert issubclass(method.parameters, MethodParameters)
        assert method.base_policy in ("required", "optional", "none")
        assert method.paper


def test_method_names_list_the_methods_imported_on_use_too():
    names = method_names()
    assert names == sorted(names)
    assert {*MERGEKIT_FAMILY, "average", "linear", "aim", "sens", "lore"} <= set(names)


@pytest.mark.parametrize("name", ["aim", "sens", "lore"])
def test_the_other_methods_are_imported_on_use(name):
    pytest.importorskip(f"corta.models.merging.methods.{name}")
    assert get_method(name).name == name


def test_an_unknown_name_is_refused_with_the_known_ones():
    with pytest.raises(ConfigError, match="ties") as error:
        get_method("tie")
    assert "'tie'" in str(error.value)


@pytest.mark.parametrize("name", [*MERGEKIT_FAMILY, "linear"])
def test_defaults_are_mergekits(name):
    registry = pytest.importorskip("mergekit.merge_methods.registry")
    mergekit_defaults = {
        spec.name: spec.default
        for spec in registry.get(name).spec.parameters
        if not spec.required and spec.name
    }
    ours = get_method(name).parameters().model_dump(by_alias=True)
    for key in ("normalize", "rescale", "lambda", "int8_mask"):
        if key in mergekit_defaults:
            assert ours[key] == mergekit_defaults[key], key
