"""The git identity Fixer commits as: the App's bot user, so GitHub attributes commits to it.

GitHub links a commit to an account by its email; an App's bot user has the no-reply address
``{id}+{slug}[bot]@users.noreply.github.com``, where ``id`` is the bot *user's* id (not the App
id) (https://docs.github.com/en/account-and-profile/reference/email-addresses-reference).
The slug comes from ``GET /app`` (https://docs.github.com/en/rest/apps/apps#get-the-authenticated-app)
and the id from ``GET /users/{slug}[bot]`` (https://docs.github.com/en/rest/users/users#get-a-user).
Both are fixed for the App's life, so they are looked up once per process.
"""

from __future__ import annotations

from urllib.parse import quote

from app.github import GitHubApp

_cache: dict[str, tuple[str, str]] = {}
"""By API base: one App per deployment. Two concurrent first lookups are harmless."""


def noreply_email(user_id: int, login: str) -> str:
    return f"{user_id}+{login}@users.noreply.github.com"


async def bot_identity(
    github: GitHubApp, installation_id: int, repo_full_name: str
) -> tuple[str, str]:
    """``(name, email)`` of the App's bot user, e.g. ``("fixer[bot]", "41898282+fixer[bot]@...")``.

    The user lookup goes through an installation client (metadata: read): GitHub serves
    ``/users`` to installation tokens, not to the App's JWT.
    """
    key = github.base_url
    if key not in _cache:
        app = await github.authenticated_app()
        login = f"{app['slug']}[bot]"
        client = github.for_repo(installation_id, repo_full_name, {"metadata": "read"})
        user = (await client.arequest("GET", f"/users/{quote(login)}")).json()
        _cache[key] = (str(user["login"]), noreply_email(int(user["id"]), str(user["login"])))
    return _cache[key]
