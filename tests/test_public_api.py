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


def test_annotator_functions_are_the_cores() -> None:
    from jupyter_dci.core import annotators

    assert dci.agreement is annotators.agreement
    assert dci.consensus is annotators.consensus
    assert {"agreement", "consensus", "Agreement", "Consensus"} <= set(dci.__all__)
