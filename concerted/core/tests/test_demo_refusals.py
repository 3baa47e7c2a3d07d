"""`concerted demo` on a real installation: it must not take over a person's account
named "organizer", nor add a demo campaign (and a campaign key in the data folder) to a
server deploy installed, while `make run` keeps loading it once and printing the login."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from concerted.campaigns.models import Campaign
from concerted.core.management.commands.demo import DEMO_CAMPAIGN

pytestmark = pytest.mark.django_db


def test_it_leaves_a_real_account_named_organizer_alone(tmp_path):
    person = get_user_model().objects.create_user("organizer", password="the real one's password")
    with override_settings(DATA_DIR=tmp_path), pytest.raises(CommandError, match="already exists"):
        call_command("demo", stdout=io.StringIO())
    person.refresh_from_db()
    assert person.check_password("the real one's password")
    assert not Campaign.objects.filter(name=DEMO_CAMPAIGN).exists()
    assert not (tmp_path / "demo-keys").exists()


def test_it_refuses_a_server_deploy_installed_unless_told(tmp_path):
    install = str(tmp_path / "install.json")
    with override_settings(DATA_DIR=tmp_path, INSTALL_FILE=install), pytest.raises(CommandError, match="deploy"):
        call_command("demo", stdout=io.StringIO())
    assert not Campaign.objects.exists() and not get_user_model().objects.exists()
    with override_settings(DATA_DIR=tmp_path, INSTALL_FILE=install):
        call_command("demo", "--on-a-deployed-server", stdout=io.StringIO())
    assert Campaign.objects.filter(name=DEMO_CAMPAIGN).exists()


def test_run_after_run_it_only_prints_the_login_again(tmp_path):
    first, second = io.StringIO(), io.StringIO()
    with override_settings(DATA_DIR=tmp_path):
        call_command("demo", stdout=first)
        call_command("demo", stdout=second)
    login = next(line for line in first.getvalue().splitlines() if "Organizer login" in line)
    assert login in second.getvalue()
    assert Campaign.objects.filter(name=DEMO_CAMPAIGN).count() == 1
