from __future__ import annotations

import pytest

from concerted.core import keys


def test_it_round_trips_public_and_private(private_key):
    assert bytes(keys.parse_public(keys.format_public(private_key.public_key))) == bytes(private_key.public_key)
    assert bytes(keys.parse_private(keys.format_private(private_key))) == bytes(private_key)


def test_it_refuses_a_private_key_where_a_public_one_belongs(private_key):
    with pytest.raises(keys.PrivateKeyRefused):
        keys.parse_public(keys.format_private(private_key))


@pytest.mark.parametrize(
    "text",
    ["", "hello", keys.PUBLIC_PREFIX + "not base64!", keys.PUBLIC_PREFIX + "AAAA", keys.PUBLIC_PREFIX + "A" * 44],
)
def test_it_refuses_malformed_public_keys(text):
    with pytest.raises(keys.KeyFormatError):
        keys.parse_public(text)
