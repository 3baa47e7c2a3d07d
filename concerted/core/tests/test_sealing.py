from __future__ import annotations

import pytest
from nacl.public import PrivateKey

from concerted.core import sealing

IDS = {"campaign": "c1", "petition": "p1", "row": "r1"}


def test_it_round_trips_with_ids(private_key):
    blob = sealing.seal(private_key.public_key, kind="petitions.signature", ids=IDS, data={"name": "Zoë"})
    assert sealing.open_sealed(private_key, blob, kind="petitions.signature", ids=IDS) == {"name": "Zoë"}


def test_it_hides_lengths_in_blocks(private_key):
    short = sealing.seal(private_key.public_key, kind="k", ids=IDS, data={"name": "A"})
    longer = sealing.seal(private_key.public_key, kind="k", ids=IDS, data={"name": "A" * 100})
    assert len(short) == len(longer)


def test_it_refuses_a_record_moved_to_another_petition(private_key):
    blob = sealing.seal(private_key.public_key, kind="petitions.signature", ids=IDS, data={})
    with pytest.raises(sealing.RevealError, match="petition"):
        sealing.open_sealed(private_key, blob, kind="petitions.signature", ids={**IDS, "petition": "p2"})


def test_it_refuses_another_kind(private_key):
    blob = sealing.seal(private_key.public_key, kind="pledges.pledge", ids=IDS, data={})
    with pytest.raises(sealing.RevealError, match="expected"):
        sealing.open_sealed(private_key, blob, kind="petitions.signature", ids=IDS)


def test_it_refuses_a_wrong_key(private_key):
    blob = sealing.seal(private_key.public_key, kind="k", ids=IDS, data={})
    with pytest.raises(sealing.RevealError, match="wrong key"):
        sealing.open_sealed(PrivateKey.generate(), blob, kind="k", ids=IDS)


def test_it_refuses_a_tampered_blob(private_key):
    blob = bytearray(sealing.seal(private_key.public_key, kind="k", ids=IDS, data={}))
    blob[-1] ^= 1
    with pytest.raises(sealing.RevealError):
        sealing.open_sealed(private_key, bytes(blob), kind="k", ids=IDS)
