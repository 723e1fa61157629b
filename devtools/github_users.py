"""``GET /users/{username}``: public accounts, including the App's bot user.

https://docs.github.com/en/rest/users/users#get-a-user — works without authentication or with
an installation token. An App's bot user is ``{slug}[bot]``: ``type: "Bot"``, its own numeric
id (not the App id), and its profile is the App's page (``/apps/{slug}``); commits authored as
``{id}+{slug}[bot]@users.noreply.github.com`` are attributed to it
(https://docs.github.com/en/account-and-profile/reference/email-addresses-reference).
Unknown accounts are 404.
"""

from __future__ import annotations

from devtools import github_objects as objects
from devtools.github_auth import ApiError, Call

Reply = tuple[int, objects.Json]


def get_user(call: Call) -> Reply:
    login = call.args[0]
    site = call.site
    bot = site.app.bot_login
    if login.lower() == bot.lower():
        body = objects.user(site, bot)
        body.update(
            html_url=f"{site.web_url}/apps/{site.app.slug}",
            name=None,
            company=None,
            blog="",
            location=None,
            email=None,
            hireable=None,
            bio=None,
            twitter_username=None,
            public_repos=0,
            public_gists=0,
            followers=0,
            following=0,
            created_at="2024-01-01T00:00:00Z",
            updated_at="2024-01-01T00:00:00Z",
        )
        return 200, body
    if not site.state.is_user(login):
        raise ApiError(404, "Not Found")
    return 200, objects.user(site, login)
