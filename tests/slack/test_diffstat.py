"""Diffstat from unified diffs, as ``git diff`` writes them."""

from __future__ import annotations

from app.slack.diffstat import FileStat, parse_diffstat, totals

GIT_DIFF = """diff --git a/src/app.py b/src/app.py
index 83db48f..bf269f4 100644
--- a/src/app.py
+++ b/src/app.py
@@ -1,4 +1,4 @@
 import os
---- a removed line that looks like a header
+++++ an added line that looks like a header
 x = 1
-y = 2
+y = 3
diff --git a/tests/test_app.py b/tests/test_app.py
new file mode 100644
index 0000000..e69de29
--- /dev/null
+++ b/tests/test_app.py
@@ -0,0 +1,2 @@
+def test_x():
+    assert True
diff --git a/old.txt b/old.txt
deleted file mode 100644
--- a/old.txt
+++ /dev/null
@@ -1 +0,0 @@
-gone
\\ No newline at end of file
diff --git a/a.py b/b.py
similarity index 100%
rename from a.py
rename to b.py
diff --git a/logo.png b/logo.png
Binary files a/logo.png and b/logo.png differ
"""


def test_git_diff_counts_each_file_including_header_like_lines() -> None:
    assert parse_diffstat(GIT_DIFF) == [
        FileStat("src/app.py", added=2, removed=2),
        FileStat("tests/test_app.py", added=2, removed=0, status="added"),
        FileStat("old.txt", added=0, removed=1, status="deleted"),
        FileStat("b.py", status="renamed"),
        FileStat("logo.png", binary=True),
    ]
    assert totals(parse_diffstat(GIT_DIFF)) == (4, 3)


def test_plain_unified_diff_of_several_files() -> None:
    diff = (
        "--- a/one.txt\t2024-01-01\n+++ b/one.txt\t2024-01-02\n@@ -1 +1 @@\n-a\n+b\n"
        "--- two.txt\n+++ two.txt\n@@ -1,2 +1,3 @@\n x\n+y\n z\n"
    )
    assert parse_diffstat(diff) == [
        FileStat("one.txt", added=1, removed=1),
        FileStat("two.txt", added=1, removed=0),
    ]


def test_empty_diff_has_no_files() -> None:
    assert parse_diffstat("") == []
