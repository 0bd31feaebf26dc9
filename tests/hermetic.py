"""The suite keeps to itself: it never reads or writes the person's own state.

Jupyter, JupyterLab, IPython and matplotlib keep a person's workspaces, settings, kernels,
nbsignatures.db, runtime files and caches in their home (or wherever their variables point);
chromium, dconf and npm keep theirs there too. A run gets a home of its own (conftest.py), and
every JupyterLab a test starts gets another one inside it (jupyter_lab.serving), so a workspace
one server saved is never restored by the next.
"""

import stat
from pathlib import Path

# what a person's shell may set to point these tools at their own state or to change how they
# behave (JUPYTER_PATH's kernels, JUPYTER_CONFIG_PATH's config, JUPYTER_GATEWAY_URL's remote
# kernels, JUPYTERHUB_USER as nbgrader's student, MPLBACKEND, PYTHONSTARTUP run by every kernel,
# their desktop session's bus and runtime folder): dropped for the run. A test that wants one, say
# student mode's JUPYTER_CONFIG_PATH, sets it itself.
PERSONAL_PREFIXES = ("JUPYTER", "JPY_", "IPYTHON", "MPL", "XDG_")  # JUPYTERLAB_*, JUPYTERHUB_* too
KEPT = ("XDG_DATA_DIRS", "XDG_CONFIG_DIRS")  # the system's search paths (fonts, mime), no one's own
PERSONAL = ("PYTHONSTARTUP", "DBUS_SESSION_BUS_ADDRESS")


def without_personal(env):
    """`env` without the variables that reach into a person's own state."""
    return {name: value for name, value in env.items()
            if name in KEPT or not (name.startswith(PERSONAL_PREFIXES) or name in PERSONAL)}


def own_state(home):
    """The variables that keep a process's state under `home`, each where the tool puts it by
    default: a home of its own, whatever the person's variables or platform defaults say."""
    home = Path(home)
    config, data = home / ".jupyter", home / ".local" / "share"
    where = {
        "HOME": home,  # chromium's crash reports, ~/.pki, npm's logs (jupyter-lsp runs npm)
        "XDG_CONFIG_HOME": home / ".config", "XDG_CACHE_HOME": home / ".cache",
        "XDG_DATA_HOME": data, "XDG_STATE_HOME": home / ".local" / "state",
        # jupyter_core: config (also nbgrader_config.py), data (kernels, nbsignatures.db,
        # nbgrader's exchange cache), runtime (connection files, the server's cookie secret)
        "JUPYTER_CONFIG_DIR": config, "JUPYTER_DATA_DIR": data / "jupyter",
        "JUPYTER_RUNTIME_DIR": data / "jupyter" / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": config / "lab" / "user-settings",
        "JUPYTERLAB_WORKSPACES_DIR": config / "lab" / "workspaces",
        "IPYTHONDIR": home / ".ipython",  # profiles, startup files, history.sqlite
        "MPLCONFIGDIR": home / ".config" / "matplotlib",  # matplotlibrc and the font cache
    }
    return {name: str(path) for name, path in where.items()}


def snapshot(folder):
    """Every path under `folder` (itself too) with its bytes and modification time: two equal
    snapshots mean nothing was written, created, removed or renamed there."""
    folder = Path(folder)
    found = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        info = path.lstat()
        found[str(path.relative_to(folder))] = (
            info.st_mtime_ns, path.read_bytes() if stat.S_ISREG(info.st_mode) else None)
    return found
