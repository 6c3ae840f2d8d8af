import hashlib
import string

import pytest

from apikeys import keys

URL_SAFE = set(string.ascii_letters + string.digits + "-_")


def test_a_generated_key_is_64_url_safe_characters():
    raw = keys.generate_raw_key()
    assert len(raw) == 64
    assert set(raw) <= URL_SAFE


def test_a_key_never_starts_with_a_dash_so_its_prefix_is_a_safe_cli_argument():
    assert not any(keys.generate_raw_key().startswith("-") for _ in range(2000))


def test_generated_keys_are_unique():
    assert len({keys.generate_raw_key() for _ in range(1000)}) == 1000


def test_a_generated_key_passes_its_own_checksum():
    for _ in range(200):
        assert keys.is_well_formed(keys.generate_raw_key())


def test_the_display_prefix_is_the_first_six_characters():
    raw = keys.generate_raw_key()
    assert keys.display_prefix(raw) == raw[:6]


def test_the_hash_is_the_sha256_hex_of_the_key_alone():
    raw = keys.generate_raw_key()
    assert keys.hash_key(raw) == hashlib.sha256(raw.encode()).hexdigest()


def _flip(raw: str, index: int) -> str:
    replacement = "A" if raw[index] != "A" else "B"
    return raw[:index] + replacement + raw[index + 1 :]


@pytest.mark.parametrize("index", [0, 5, 31, 57, 58, 63])
def test_a_single_mistyped_character_is_rejected(index):
    raw = keys.generate_raw_key()
    assert not keys.is_well_formed(_flip(raw, index))


def test_swapped_neighbours_are_rejected():
    raw = keys.generate_raw_key()
    i = next(i for i in range(57) if raw[i] != raw[i + 1])
    swapped = raw[:i] + raw[i + 1] + raw[i] + raw[i + 2 :]
    assert not keys.is_well_formed(swapped)


@pytest.mark.parametrize(
    "candidate",
    [
        "",
        "short",
        "a" * 64,
        "x" * 65,
        None,
        12345,
        "é" * 64,
        " " * 64,
    ],
)
def test_malformed_candidates_are_rejected(candidate):
    assert not keys.is_well_formed(candidate)


def test_truncated_and_extended_keys_are_rejected():
    raw = keys.generate_raw_key()
    assert not keys.is_well_formed(raw[:-1])
    assert not keys.is_well_formed(raw + "A")
    assert not keys.is_well_formed(raw[1:])
