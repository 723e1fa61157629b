set -e
venv=/home/fixer/.venv
if command -v python3 >/dev/null 2>&1 && [ ! -x "$venv/bin/python" ]; then
  whl=$(ls /usr/share/python-wheels/pip-*.whl 2>/dev/null | head -1)
  if [ -n "$whl" ]; then
    python3 -m venv --without-pip "$venv"
    site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
    printf '%s\n' "$whl" > "$site/fixer-pip.pth"
    for name in pip pip3; do
      shim="$venv/bin/$name"
      { printf '#!%s/bin/python\nimport sys\n' "$venv"
        printf 'from pip._internal.cli.main import main\nsys.exit(main())\n'; } > "$shim"
      chmod 755 "$shim"
    done
  else
    python3 -m venv "$venv"
  fi
fi
mkdir -p /home/fixer/.fixer
cat > /home/fixer/.bash_profile <<'PROFILE'
# Written by Fixer: the run's virtual environment and toolchains come first on PATH.
[ -f ~/.profile ] && . ~/.profile
case ":$PATH:" in
  *":/home/fixer/.venv/bin:"*) ;;
  *) PATH="/home/fixer/.venv/bin:/home/fixer/.cache/cargo/bin:/home/fixer/go/bin:/home/fixer/.local/bin:$PATH" ;;
esac
export PATH
PROFILE
