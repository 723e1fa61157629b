"""Go and Rust projects for the ``universal`` image, with no outside dependencies.

Go's module proxy and crates.io are not needed: the Go module has no requirements (``go mod
download`` has nothing to fetch) and the crate has no dependencies (``cargo fetch`` only
writes the lockfile).
"""

from __future__ import annotations

from devtools.sample_repos import SampleRepo, fixer_yml


def go_sample() -> SampleRepo:
    setup = ["go mod download"]
    files = {
        "README.md": "# wordcount\n\n```\ngo mod download\ngo test ./...\n```\n",
        "go.mod": "module example.com/wordcount\n\ngo 1.19\n",
        "count.go": (
            'package wordcount\n\nimport "strings"\n\n'
            "// Words counts the words in s.\n"
            "func Words(s string) int {\n\treturn len(strings.Fields(s)) + 1\n}\n"
        ),
        "count_test.go": (
            'package wordcount\n\nimport "testing"\n\n'
            "func TestWords(t *testing.T) {\n"
            '\tif got := Words("one two three"); got != 3 {\n'
            '\t\tt.Fatalf("Words = %d, want 3", got)\n\t}\n}\n'
        ),
        ".github/fixer.yml": fixer_yml(setup, "image: universal\n"),
    }
    return SampleRepo(
        name="acme/wordcount",
        files=files,
        issue_title="Words() counts one too many",
        issue_body='`Words("one two three")` returns 4; `go test ./...` fails.',
        path="count.go",
        old="len(strings.Fields(s)) + 1",
        new="len(strings.Fields(s))",
        test_command="go test ./...",
        setup=setup,
    )


def rust_sample() -> SampleRepo:
    setup = ["cargo fetch"]
    files = {
        "README.md": "# clamp\n\n```\ncargo fetch\ncargo test\n```\n",
        "Cargo.toml": '[package]\nname = "clamp"\nversion = "0.1.0"\nedition = "2021"\n',
        ".gitignore": "/target\n",
        "src/lib.rs": (
            "/// Limits `v` to `[lo, hi]`.\n"
            "pub fn clamp(v: i64, lo: i64, hi: i64) -> i64 {\n"
            "    if v < lo { lo } else if v > hi { lo } else { v }\n}\n\n"
            "#[cfg(test)]\nmod tests {\n    use super::*;\n\n"
            "    #[test]\n    fn above_the_range_is_hi() {\n"
            "        assert_eq!(clamp(15, 0, 10), 10);\n    }\n}\n"
        ),
        ".github/fixer.yml": fixer_yml(setup, "image: universal\n"),
    }
    return SampleRepo(
        name="acme/clamp",
        files=files,
        issue_title="clamp() returns lo for values above the range",
        issue_body="`clamp(15, 0, 10)` is 0; `cargo test` fails.",
        path="src/lib.rs",
        old="v > hi { lo }",
        new="v > hi { hi }",
        test_command="cargo test",
        setup=setup,
    )
