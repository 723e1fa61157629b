"""A Node project with a lockfile: ``npm ci`` installs a dependency, ``npm test`` tests.

The lockfile resolves the dependency on the public registry, as real lockfiles do; the
sandbox's ``FIXER_SANDBOX_NPM_REGISTRY`` points npm at a local mirror instead.
"""

from __future__ import annotations

import io
import json
import tarfile

from devtools.package_index import PackageIndex
from devtools.sample_repos import SampleRepo, fixer_yml

SETUP = ["npm ci"]
DEP = ("tiny-round", "1.2.0")
DEP_SOURCE = "'use strict';\nmodule.exports = (value, digits) => Number(value.toFixed(digits));\n"


def tarball() -> bytes:
    """The dependency as npm packs it: a gzipped tar of ``package/``."""
    files = {
        "package/package.json": json.dumps(
            {"name": DEP[0], "version": DEP[1], "main": "index.js", "license": "MIT"}
        ),
        "package/index.js": DEP_SOURCE,
    }
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 499162500
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def publish(index: PackageIndex) -> str:
    """Publish the dependency; returns its integrity for the lockfile."""
    return index.add_npm(DEP[0], DEP[1], tarball())


def sample(integrity: str) -> SampleRepo:
    name, version = DEP
    package = {
        "name": "price-format",
        "version": "1.0.0",
        "private": True,
        "scripts": {"test": "node --test test/"},
        "dependencies": {name: f"^{version}"},
    }
    lock = {
        "name": "price-format",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {
            "": {"name": "price-format", "version": "1.0.0", "dependencies": {name: f"^{version}"}},
            f"node_modules/{name}": {
                "version": version,
                "resolved": f"https://registry.npmjs.org/{name}/-/{name}-{version}.tgz",
                "integrity": integrity,
                "license": "MIT",
            },
        },
    }
    files = {
        "README.md": "# price-format\n\n```\nnpm ci\nnpm test\n```\n",
        "package.json": json.dumps(package, indent=2) + "\n",
        "package-lock.json": json.dumps(lock, indent=2) + "\n",
        "index.js": (
            "'use strict';\nconst round = require('tiny-round');\n\n"
            "exports.price = (cents) => '$' + round(cents / 10, 2).toFixed(2);\n"
        ),
        "test/price.test.js": (
            "'use strict';\nconst test = require('node:test');\n"
            "const assert = require('node:assert');\nconst { price } = require('../index.js');\n\n"
            "test('formats cents as dollars', () => {\n"
            "  assert.strictEqual(price(1999), '$19.99');\n});\n"
        ),
        ".github/fixer.yml": fixer_yml(SETUP),
    }
    return SampleRepo(
        name="acme/price-format",
        files=files,
        issue_title="price(1999) shows $199.90",
        issue_body="Cents are divided by 10 instead of 100; `npm test` fails.",
        path="index.js",
        old="cents / 10,",
        new="cents / 100,",
        test_command="npm test",
        setup=SETUP,
    )
