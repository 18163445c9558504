"""YAML files validated by a pydantic model (source profiles, resolution profiles).

Every problem in a file is reported at once, each prefixed with where it came from.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from hotpass.errors import ProfileError

Model = TypeVar("Model", bound=BaseModel)


def parse_yaml_model(text: str, origin: str, model: type[Model]) -> Model:
    """``text`` as ``model``, or ProfileError listing every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProfileError([f"{origin}: not valid YAML ({exc})"]) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(
            [
                f"{origin}: {'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
                for e in exc.errors()
            ]
        ) from None


def looks_like_file(name_or_path: str) -> bool:
    path = Path(name_or_path)
    return path.suffix in {".yaml", ".yml"} or path.exists()


def read_yaml_model(path: Path, model: type[Model]) -> Model:
    """The YAML file at ``path`` as ``model``, or ProfileError (unreadable or invalid)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError([f"{path}: cannot be read ({exc.strerror})"]) from None
    return parse_yaml_model(text, str(path), model)
