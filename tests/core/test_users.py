from __future__ import annotations

import pwd

import pytest

from casebook.core.users import os_user

LOGIN_VARIABLES = ("LOGNAME", "USER", "LNAME", "USERNAME")


@pytest.fixture
def no_login_name(monkeypatch):
    """A container: no login variable set and a user id without a passwd entry."""
    for name in LOGIN_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def missing(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", missing)


def test_the_login_name_is_the_user(monkeypatch):
    for name in LOGIN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("USER", "анна")
    assert os_user() == "анна"


def test_no_login_name_falls_back(no_login_name):
    assert os_user() == "unknown"
    assert os_user(missing="") == ""
