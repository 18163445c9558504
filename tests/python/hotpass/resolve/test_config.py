"""Resolution profiles."""

import pytest

from hotpass.errors import ProfileError
from hotpass.resolve.config import builtin_configs, load_config


def test_builtin_organisations_profile_loads():
    config = builtin_configs()["organisations"]
    assert config.kind_of("match_key") == "name"
    assert config.review_floor < config.threshold


def test_every_problem_is_listed(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\ncomparisons: [{column: name, kind: name}]\nblocking: [[nope]]\n"
        "training_rules: [[name]]\ntraining_recall: 0.9\nthreshold: 0.5\nreview_floor: 0.8\n"
    )
    with pytest.raises(ProfileError) as caught:
        load_config(str(path))
    message = str(caught.value)
    assert "review_floor must not exceed threshold" in message
    assert "'nope' is not a compared column" in message


def test_unknown_profile_names_the_builtins():
    with pytest.raises(ProfileError, match="organisations"):
        load_config("nope")
