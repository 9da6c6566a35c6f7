"""The public surface: every exported name resolves, and the lazy map names no ghost."""

from __future__ import annotations

import pytest

import jupyter_dci as dci


def test_every_public_name_resolves() -> None:
    for name in dci.__all__:
        assert getattr(dci, name) is not None, name


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        dci.no_such_thing  # noqa: B018
