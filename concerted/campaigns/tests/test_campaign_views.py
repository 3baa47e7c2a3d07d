from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from nacl.public import PrivateKey

from concerted.campaigns.models import Campaign, Segment
from concerted.core import keys

pytestmark = pytest.mark.django_db


def campaign_urls(campaign):
    return [
        reverse("campaigns:detail", args=[campaign.pk]),
        reverse("campaigns:edit", args=[campaign.pk]),
        reverse("campaigns:key", args=[campaign.pk]),
        reverse("campaigns:segments", args=[campaign.pk]),
        reverse("campaigns:organizers", args=[campaign.pk]),
    ]


@pytest.mark.parametrize("who", ["owner", "teammate"])
def test_it_serves_campaign_pages_to_organizers(as_user, campaign, who):
    client = as_user(who)
    for url in campaign_urls(campaign):
        assert client.get(url).status_code == 200, url
    assert campaign.name in client.get(reverse("campaigns:list")).content.decode()


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_it_gives_strangers_nothing(as_user, campaign, who):
    client = as_user(who)
    for url in campaign_urls(campaign):
        response = client.get(url)
        assert response.status_code == (404 if who == "outsider" else 302), url
        assert campaign.name.encode() not in response.content
    segment = campaign.segments.first()
    client.post(reverse("campaigns:segment_delete", args=[campaign.pk, segment.pk]))
    assert Segment.objects.filter(pk=segment.pk).exists()
    client.post(reverse("campaigns:organizers", args=[campaign.pk]), {"username": "outsider"})
    assert not campaign.organizers.filter(username="outsider").exists()
    client.post(reverse("campaigns:edit", args=[campaign.pk]), {"name": "Hijacked", "committee_name": "x"})
    campaign.refresh_from_db()
    assert campaign.name == "Acme privacy"
    if who == "outsider":
        assert campaign.name not in client.get(reverse("campaigns:list")).content.decode()


def test_wrong_methods_get_405(as_user, campaign):
    client = as_user("owner")
    segment = campaign.segments.first()
    assert client.get(reverse("campaigns:segment_delete", args=[campaign.pk, segment.pk])).status_code == 405
    assert client.delete(reverse("campaigns:detail", args=[campaign.pk])).status_code == 405


def test_it_creates_a_campaign_and_asks_for_the_key(as_user, owner):
    response = as_user("owner").post(
        reverse("campaigns:new"),
        {
            "name": "Night shift",
            "committee_name": "Night committee",
            "employer_domains": "@Acme.com\nacme.com",
            "unit_size": 50,
        },
    )
    campaign = Campaign.objects.get(name="Night shift")
    assert response["Location"] == reverse("campaigns:key", args=[campaign.pk])
    assert campaign.employer_domain_list() == ["acme.com"]
    assert campaign.is_organizer(owner)


def test_it_refuses_a_bad_domain(as_user):
    response = as_user("owner").post(
        reverse("campaigns:new"), {"name": "X", "committee_name": "Y", "employer_domains": "not a domain!"}
    )
    assert response.status_code == 400
    assert "is not a domain like acme.com" in response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”")


def test_it_names_every_bad_domain_and_splits_a_comma_separated_list(as_user):
    client = as_user("owner")
    response = client.post(
        reverse("campaigns:new"), {"name": "X", "committee_name": "Y", "employer_domains": "acme.com, nope\n@bad!.com"}
    )
    page = response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert response.status_code == 400
    assert "“nope” is not a domain" in page and "“bad!.com” is not a domain" in page
    client.post(
        reverse("campaigns:new"), {"name": "Z", "committee_name": "Y", "employer_domains": "Acme.com, acme.de;x.org"}
    )
    assert Campaign.objects.get(name="Z").employer_domain_list() == ["acme.com", "acme.de", "x.org"]


def test_it_keeps_the_mail_domain_of_a_pasted_website(as_user):
    """ "www.limpa-grupo.pt" matched no work address (mail never goes to www.): a coworker
    signed with bruno@limpa-grupo.pt and was accepted."""
    domains = "www.limpa-grupo.pt https://www.acme.com/about http://Example.ORG @www.x.org"
    as_user("owner").post(reverse("campaigns:new"), {"name": "W", "committee_name": "Y", "employer_domains": domains})
    campaign = Campaign.objects.get(name="W")
    assert campaign.employer_domain_list() == ["limpa-grupo.pt", "acme.com", "example.org", "x.org"]


def test_a_new_campaign_offers_the_pages_language(as_user):
    page = as_user("owner").get("/pt/o/campaigns/new/").content.decode()
    assert re.search(r'<option value="pt" selected>', page), "the /pt/ page offers Portuguese"
    page = as_user("owner").get("/en/o/campaigns/new/").content.decode()
    assert re.search(r'<option value="en" selected>', page)


@pytest.mark.parametrize("size", ["0", "1000001", "9223372036854775807", "1" + "0" * 30])
def test_it_refuses_a_unit_size_no_workplace_has_with_a_plain_message(as_user, size):
    response = as_user("owner").post(
        reverse("campaigns:new"), {"name": "Big", "committee_name": "Y", "unit_size": size}
    )
    assert response.status_code == 400
    assert "between 1 and 1,000,000" in response.content.decode()
    assert f'value="{size}"' in response.content.decode()  # what was typed is kept
    assert not Campaign.objects.filter(name="Big").exists()


def test_it_accepts_a_pasted_or_uploaded_public_key(as_user, campaign):
    key = PrivateKey.generate()
    public_text = keys.format_public(key.public_key)
    client = as_user("owner")
    campaign.public_key = ""
    campaign.save()
    assert client.post(reverse("campaigns:key", args=[campaign.pk]), {"public_key": public_text}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.public_key == public_text
    campaign.public_key = ""
    campaign.save()
    upload = SimpleUploadedFile("committee.pub", (public_text + "\n").encode())
    assert client.post(reverse("campaigns:key", args=[campaign.pk]), {"public_key_file": upload}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.public_key == public_text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Paste the public key"),
        ("ssh-rsa AAAA", "not a valid Concerted public key"),
        (keys.PUBLIC_PREFIX + "@@@", "not valid base64"),
        (keys.PUBLIC_PREFIX + "AAAA", "32 bytes"),
    ],
)
def test_it_explains_a_malformed_public_key(as_user, campaign, text, message):
    before = campaign.public_key
    response = as_user("owner").post(reverse("campaigns:key", args=[campaign.pk]), {"public_key": text})
    assert response.status_code == 400
    assert message in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.public_key == before


def test_it_refuses_and_forgets_a_private_key(as_user, campaign):
    secret = keys.format_private(PrivateKey.generate())
    response = as_user("owner").post(reverse("campaigns:key", args=[campaign.pk]), {"public_key": secret})
    assert response.status_code == 400
    html = response.content.decode()
    assert "PRIVATE key" in html
    assert secret.split(":")[1] not in html  # not even echoed back into the form
    campaign.refresh_from_db()
    assert "PRIVATE" not in campaign.public_key


def test_only_an_owner_sets_the_key(as_user, campaign):
    """A co-organizer could swap the key before the first record: every name after it
    would be sealed to their key, not the committee's."""
    before = campaign.public_key
    new = keys.format_public(PrivateKey.generate().public_key)
    url = reverse("campaigns:key", args=[campaign.pk])
    teammate = as_user("teammate")
    assert teammate.post(url, {"public_key": new}).status_code == 403
    campaign.refresh_from_db()
    assert campaign.public_key == before
    page = teammate.get(url).content.decode()
    assert "Only an owner of this campaign can set or change its key" in page
    assert "Save public key" not in page and before in page
    assert "Save public key" in as_user("owner").get(url).content.decode()
    assert as_user("outsider").post(url, {"public_key": new}).status_code == 404


def test_it_refuses_to_swap_the_key_once_records_exist(as_user, petition):
    from concerted.petitions.signing import sign

    sign(petition, {"name": "Someone"})
    new = keys.format_public(PrivateKey.generate().public_key)
    response = as_user("owner").post(reverse("campaigns:key", args=[petition.campaign_id]), {"public_key": new})
    assert response.status_code == 400
    assert "unreadable" in response.content.decode()


def test_it_adds_groups_and_refuses_duplicates(as_user, campaign):
    client = as_user("teammate")
    url = reverse("campaigns:segments", args=[campaign.pk])
    assert client.post(url, {"kind": "site", "label": "Lisbon"}).status_code == 302
    response = client.post(url, {"kind": "site", "label": "lisbon"})
    assert response.status_code == 400
    assert "already has that group" in response.content.decode()
