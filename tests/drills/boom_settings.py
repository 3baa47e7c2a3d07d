from concerted.settings import *  # noqa: F403

ROOT_URLCONF = "tests.drills.boom_urls"
