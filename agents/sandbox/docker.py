"""The run's container: one per run, hardened, found again by its run label."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import docker
from docker.errors import APIError, ImageNotFound

from agents.errors import SandboxError, SandboxImageMissing
from agents.sandbox import dependency_cache, environment, home, network, paths, run_resources
from agents.sandbox.config import DockerSandboxConfig
from agents.sandbox.exec_stream import TIMEOUT_EXIT_CODES, ExecOutcome, run_exec, wrapped
from agents.sandbox.protocol import CommandResult, SandboxSnapshot
from agents.sandbox.snapshot import restore_snapshot, take_snapshot
from agents.sandbox.workspace_archive import pack_files
from agents.sandbox.workspace_copy import copy_worktree, exclude_setup_output

# Kept under its old name: the environment every command starts from.
SANDBOX_ENV = environment.COMMAND_ENV
READ_SCRIPT = """resolve p "$target"
[ -f "$p" ] || { echo "fixer: $target is not a regular file" >&2; exit 4; }
size=$(stat -c %s -- "$p")
[ "$size" -le "$cap" ] || { echo "fixer: $target is $size bytes (cap $cap)" >&2; exit 5; }
exec cat -- "$p"
"""
WRITE_SCRIPT = """resolve p "$target"
[ -d "$p" ] && { echo "fixer: $target is a directory" >&2; exit 4; }
mkdir -p -- "$(dirname -- "$p")" || exit 4
mode=644; [ -f "$p" ] && mode=$(stat -c %a -- "$p")
printf '%s\\n%s' "$mode" "$p"
"""


# `timeout` kills the command's process group; this also reaches what escaped the group
# (setsid, job control): every process still carrying the command's exec tag.
KILL_TAGGED = (
    "for p in /proc/[0-9]*; do grep -qa FIXER_EXEC={token} $p/environ 2>/dev/null "
    "&& kill -9 ${{p#/proc/}} 2>/dev/null; done; true"
)


OPEN_MOUNTS = " ; ".join(
    f"{{ [ -w {path} ] || chmod 0777 {path}; }}"
    for path in (paths.WORKDIR, environment.HOME, environment.CACHE)
)


class DockerSandbox:
    """A run's workspace in a hardened container; implements ``Sandbox``.

    Lifecycle: ``ensure()`` → ``copy_in(worktree)`` → ``prepare(setup)`` → tools call
    ``exec``/``read_file``/``write_file`` → ``snapshot()`` → ``stop()``; after a lost
    container, ``restore(worktree, snapshot)`` rebuilds it exactly.
    """

    workdir = paths.WORKDIR

    def __init__(
        self, run_id: str, config: DockerSandboxConfig | None = None, *, client: Any = None
    ) -> None:
        self.run_id = run_id
        self.config = config or DockerSandboxConfig()
        self.client: Any = client or docker.from_env()
        self.name = run_resources.resource_name(run_id)
        self._container: Any = None
        self.fresh = False
        """Started by ``ensure()`` and no command run in it since: as good as a new one."""

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def container(self) -> Any:
        """The live container; ``ensure()`` first."""
        if self._container is None:
            raise SandboxError(f"sandbox of run {self.run_id} is not started: call ensure()")
        return self._container

    def ensure(self) -> bool:
        """Reattach to the run's live container (True) or start a fresh, empty one (False)."""
        for found in run_resources.find_run_containers(self.client, self.run_id):
            if found.status == "running":
                self._container = found
                return True
        run_resources.remove_run(self.client, self.run_id)
        try:
            self._container = self._create()
        except APIError as exc:
            if exc.status_code != 409:  # 409: another worker created it a moment ago
                raise SandboxError(f"could not start the sandbox of {self.run_id}: {exc}") from exc
            self._container = self.client.containers.get(self.name)
            self._apply_network_policy()  # ours starts without one; theirs may be in setup
            return False
        self.fresh = True
        return False

    def _create(self) -> Any:
        cfg = self.config
        try:
            image = self.client.images.get(cfg.image)
        except ImageNotFound:
            raise SandboxImageMissing(
                f"sandbox image {cfg.image} is not on this Docker engine: "
                "run `fixer sandbox build` (add --offline-base without a registry)"
            ) from None
        labels = run_resources.labels(self.run_id)
        # A named volume, not tmpfs: a checkout plus build output would eat the memory limit
        # as tmpfs pages, and put_archive cannot reach a tmpfs (it writes under the rootfs).
        self.client.volumes.create(self.name, labels=labels)
        # The home is a volume too: the venv and what setup installs can be large, and the
        # root filesystem is read-only.
        self.client.volumes.create(f"{self.name}-home", labels=labels)
        volumes = {
            self.name: {"bind": paths.WORKDIR, "mode": "rw"},
            f"{self.name}-home": {"bind": environment.HOME, "mode": "rw"},
        }
        if cfg.cache_volume:
            dependency_cache.ensure_cache_volume(self.client, cfg.cache_volume)
            volumes[cfg.cache_volume] = {"bind": environment.CACHE, "mode": "rw"}
        container = self.client.containers.run(
            cfg.image,
            entrypoint=["sleep", "infinity"],
            command=[],
            name=self.name,
            labels=labels,
            detach=True,
            init=True,
            user=cfg.user,
            working_dir=paths.WORKDIR,
            environment=SANDBOX_ENV,
            hostname="sandbox",
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            mem_limit=cfg.memory,
            memswap_limit=cfg.memory,
            nano_cpus=int(cfg.cpus * 1e9),
            pids_limit=cfg.pids_limit,
            read_only=True,
            ipc_mode="private",
            tmpfs={"/tmp": f"rw,nosuid,nodev,exec,size={cfg.tmp_size},mode=1777"},
            volumes=volumes,
            network=network.start_network(self),
        )
        self._container = container
        if not home.built_in(image.labels):
            # Images that do not create /workspace (or the home, or ~/.cache) leave the volume
            # root owned by root; its owner can open it up without any capability.
            self._exec_raw(container, OPEN_MOUNTS, user="0:0")
            home.init_home(self)
        return container

    def _apply_network_policy(self) -> None:
        if self.config.network == "none":
            self.disconnect_networks()

    def disconnect_networks(self) -> None:
        """Leave only loopback in the container."""
        network.disconnect_all(self)

    def connect_network(self) -> None:
        """Attach the run's network (for setup commands)."""
        network.connect(self)

    def prepare(
        self, setup_commands: Sequence[str], *, timeout: float | None = None
    ) -> list[CommandResult]:
        """Run setup with the network on, then apply the policy; stops at the first failure.

        Setup commands get the set-up network settings (trust, proxy, mirrors) on top of
        the environment every command has; agent commands never see them.
        """
        results: list[CommandResult] = []
        if setup_commands:
            setup = self.config.setup_network
            if setup.ca_certs:
                home.install_ca(self, setup.ca_certs)
            extra = environment.setup_env(setup, has_ca=bool(setup.ca_certs))
            self.connect_network()
            try:
                for command in setup_commands:
                    results.append(self.exec(command, timeout=timeout, env=extra))
                    if results[-1].exit_code != 0:
                        break
            finally:
                self._apply_network_policy()
            exclude_setup_output(self)
        return results

    def stop(self) -> None:
        """Remove the container, its workspace volume and its network (paused runs hold none)."""
        run_resources.remove_run(self.client, self.run_id)
        self._container = None
        self.fresh = False

    # -- Sandbox protocol ------------------------------------------------------------------

    def exec(
        self,
        command: str,
        *,
        timeout: float | None = None,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
    ) -> CommandResult:
        """Run ``command`` with ``bash -lc``; a timeout kills its whole process group."""
        limit = timeout if timeout is not None and timeout > 0 else self.config.command_timeout
        token = secrets.token_hex(8)
        outcome = self.run_script(
            command,
            timeout=limit,
            cwd=cwd,
            login=True,
            cap=self.config.output_cap,
            tag=token,
            env=env,
        )
        data, cut, _ = outcome.output.render()
        timed_out = outcome.exit_code in TIMEOUT_EXIT_CODES and outcome.duration_ms >= limit * 900
        if timed_out:
            self._exec_raw(self.container, KILL_TAGGED.format(token=token))
        return CommandResult(
            exit_code=-1 if timed_out else outcome.exit_code,
            output=data.decode("utf-8", errors="replace"),
            timed_out=timed_out,
            duration_ms=outcome.duration_ms,
            truncated_bytes=cut,
        )

    def read_file(self, path: str) -> bytes:
        """Bytes of the file at ``path``, resolved in the container and kept in /workspace."""
        outcome = self._checked(
            READ_SCRIPT, target=path, cap=str(self.config.file_cap), limit=self.config.file_cap
        )
        return bytes(outcome.output.head) + bytes(outcome.output.tail)

    def write_file(self, path: str, data: bytes) -> None:
        """Create or replace ``path`` (parents created, mode kept) as the sandbox user."""
        outcome = self._checked(WRITE_SCRIPT, target=path, limit=65536)
        mode, resolved = outcome.output.head.decode().split("\n", 1)
        parent, _, name = resolved.rpartition("/")
        archive = pack_files({name: (data, int(mode, 8))})
        try:
            written = self.container.put_archive(parent or "/", archive)
        except APIError as exc:
            raise SandboxError(f"could not write {path} in the sandbox: {exc}") from exc
        if not written:
            raise SandboxError(f"could not write {path} in the sandbox")

    # -- workspace -------------------------------------------------------------------------

    def copy_in(self, host_dir: Path) -> str:
        """Replace /workspace with ``host_dir`` (credentials stripped); returns the base commit."""
        return copy_worktree(self, host_dir)

    @property
    def base_commit(self) -> str:
        """The commit /workspace was copied in at (recorded inside the workspace's .git)."""
        outcome = self._checked("cat /workspace/.git/fixer/base", limit=4096)
        return outcome.output.head.decode().strip()

    def snapshot(self) -> SandboxSnapshot:
        """The workspace's diff against the base commit (see ``agents.sandbox.snapshot``)."""
        return take_snapshot(self)

    def restore(
        self, base_dir: Path, snapshot: SandboxSnapshot, setup_commands: Sequence[str] = ()
    ) -> None:
        """Rebuild the run's container from ``base_dir`` plus ``snapshot``, verified by hash."""
        restore_snapshot(self, base_dir, snapshot, setup_commands)

    # -- plumbing --------------------------------------------------------------------------

    def run_script(
        self,
        script: str,
        *,
        timeout: float,
        cwd: str | None = None,
        login: bool = False,
        cap: int | None = None,
        split_stderr: bool = False,
        user: str | None = None,
        tag: str | None = None,
        env: dict[str, str] | None = None,
    ) -> ExecOutcome:
        """Run a bash script under the timeout wrapper and return the raw outcome."""
        self.fresh = False
        grace = self.config.kill_grace
        extra = {**(env or {}), **({"FIXER_EXEC": tag} if tag else {})}
        return run_exec(
            self.client.api,
            self.container.id,
            wrapped(script, timeout, grace, login=login),
            user=user or self.config.user,
            workdir=paths.absolute(cwd) if cwd else paths.WORKDIR,
            deadline_s=timeout + grace + 30,
            cap=cap,
            split_stderr=split_stderr,
            environment=extra or None,
        )

    def _checked(self, body: str, *, limit: int, **values: str) -> ExecOutcome:
        """Run an internal script; a non-zero exit raises with the script's own message."""
        outcome = self.run_script(
            paths.script(body, **values), timeout=120, cap=None, split_stderr=True
        )
        if outcome.exit_code != 0:
            message = outcome.output.errors.decode(errors="replace").strip()
            raise SandboxError(message or f"sandbox script failed with {outcome.exit_code}")
        if outcome.output.total > limit:
            raise SandboxError(f"sandbox script output is over {limit} bytes")
        return outcome

    def _exec_raw(self, container: Any, command: str, *, user: str | None = None) -> None:
        run_exec(
            self.client.api,
            container.id,
            ["sh", "-c", command],
            user=user or self.config.user,
            workdir="/",
            deadline_s=30,
            cap=4096,
        )
