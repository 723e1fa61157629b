"""Reading every page of a GitHub list, through the App's githubkit client.

GitHub's list endpoints take ``per_page`` (at most 100) and ``page``
(https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api);
a page shorter than asked for is the last one. Some wrap the list in an object
(``{"total_count", "check_runs": [...]}``): ``key`` names the list inside it.
"""

from __future__ import annotations

from typing import Any

from githubkit import GitHub

PER_PAGE = 100


async def all_pages(
    gh: GitHub[Any],
    path: str,
    *,
    key: str | None = None,
    params: dict[str, str] | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Every item of ``GET path`` (or the first ``limit``), page after page."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        query = {**(params or {}), "per_page": str(PER_PAGE), "page": str(page)}
        body = (await gh.arequest("GET", path, params=query)).json()
        batch = body.get(key) or [] if key else body
        items.extend(dict(item) for item in batch)
        if len(batch) < PER_PAGE or (limit is not None and len(items) >= limit):
            return items[:limit] if limit is not None else items
        page += 1
