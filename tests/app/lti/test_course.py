"""A course's tutor settings: the platform's defaults, overridden by the course's saved settings, overridden by the
link's custom parameters; invalid custom parameters refused."""

from pathlib import Path

import pytest

from corta.app.lti.course import TutorSettings, course_key, save_course_settings, settings_for
from corta.app.lti.errors import LtiError
from corta.app.store import Store


def test_the_link_overrides_the_course_which_overrides_the_platform(tmp_path: Path):
    store = Store(tmp_path / "s.sqlite")
    platform = TutorSettings(mode="explain", kb="default", iframe=True)
    course = course_key("https://lms.example", "1", "py101")
    assert settings_for(store, platform, course, {}) == platform
    save_course_settings(store, course, TutorSettings(mode="hint", kb="python-docs"))
    assert settings_for(store, platform, course, {}) == TutorSettings(
        mode="hint", kb="python-docs", iframe=True
    )
    assert settings_for(store, platform, course_key("https://lms.example", "2", "py101"), {}) == platform
    link = settings_for(store, platform, course, {"tutor_mode": "explain", "unrelated": "x"})
    assert link == TutorSettings(mode="explain", kb="python-docs", iframe=True)


@pytest.mark.parametrize("custom", [{"tutor_mode": "solve"}, {"course_kb": "../../etc"}, {"tutor_mode": 3}])
def test_invalid_custom_parameters_are_refused(tmp_path: Path, custom: dict[str, object]):
    with pytest.raises(LtiError) as refused:
        settings_for(Store(tmp_path / "s.sqlite"), TutorSettings(), "course", custom)
    assert refused.value.status == 400


def test_a_hint_only_course_allows_hints_only():
    assert TutorSettings(mode="hint").allows("hint") and not TutorSettings(mode="hint").allows("explain")
    assert TutorSettings().allows("explain") and TutorSettings().allows("hint")
