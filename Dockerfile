# The Fixer service image: `fixer serve` by default; `fixer web` / `fixer worker` for a split
# deployment (see docker-compose.yml). Sandboxes are siblings on the host's Docker engine, reached
# through a mounted /var/run/docker.sock or DOCKER_HOST; this image never runs agent code itself.
FROM debian:bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive \
    LANG=C.UTF-8 \
    LC_ALL=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# git: the host side clones into the mirror cache and pushes approved branches.
# tini: signals reach uvicorn/the worker so DBOS shuts down cleanly on `docker stop`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      python3 python3-venv git ca-certificates tini \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb

RUN python3 -m venv /opt/fixer
ENV PATH=/opt/fixer/bin:$PATH

# Dependencies first, exactly as requirements.txt locks them (hashes checked, nothing resolved),
# so editing the source does not re-download them. Where the build cannot reach the package
# index, vendor the locked wheels first with `make wheels` (into build/wheels, git-ignored) and
# they are installed with no index. The requirements.txt in the first COPY keeps it valid when
# build/wheels does not exist.
WORKDIR /src
COPY requirements.txt build/wheel[s] /tmp/wheels/
COPY requirements.txt pyproject.toml README.md ./
RUN if ls /tmp/wheels/*.whl >/dev/null 2>&1; then \
      export PIP_NO_INDEX=1 PIP_FIND_LINKS=/tmp/wheels; \
    fi \
 && pip install --require-hashes --no-deps -r requirements.txt \
 && rm -rf /tmp/wheels
# Then the project alone, with the locked build backend already in the venv.
COPY app ./app
COPY webhooks ./webhooks
COPY agents ./agents
COPY devtools ./devtools
RUN pip install --no-deps --no-build-isolation . \
 && rm -rf /src/build /src/*.egg-info

# A fixed non-root uid; to use a mounted Docker socket, add its group at run time
# (`group_add: ["<gid of /var/run/docker.sock>"]` in compose, `--group-add` with docker run).
RUN groupadd --gid 10001 fixer \
 && useradd --uid 10001 --gid 10001 --home-dir /var/lib/fixer --create-home --shell /usr/sbin/nologin fixer \
 && mkdir -p /var/lib/fixer/cache \
 && chown -R fixer:fixer /var/lib/fixer

USER fixer
WORKDIR /var/lib/fixer
# In a container the service must listen beyond loopback; publish the port on the host as needed.
ENV FIXER_HOST=0.0.0.0 \
    FIXER_PORT=8000 \
    FIXER_CACHE_DIR=/var/lib/fixer/cache \
    DATABASE_URL=sqlite:////var/lib/fixer/fixer.db
VOLUME ["/var/lib/fixer"]
EXPOSE 8000

# Liveness only (/healthz); /readyz also checks the database and Docker, which belong to
# orchestration readiness probes, not to restarting the container.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python3", "-c", "import os,sys,urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('FIXER_PORT', '8000'), timeout=4).status == 200 else 1)"]

ENTRYPOINT ["/usr/bin/tini", "--", "fixer"]
CMD ["serve"]
