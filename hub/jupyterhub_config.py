"""JupyterHub for a class on this machine, 127.0.0.1 only (`make hub`).

grading/hub.py sets the class up -- its local users, the shared exchange, the instructor's course
-- and starts the hub with this file, naming the class in HUB_CLASS (a JSON file). How a real
hub differs: the README's "A class on a JupyterHub".
"""

import json
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (JupyterHub provides it)
REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the project's environment: the hub's and every user's
klass = json.loads(Path(os.environ["HUB_CLASS"]).read_text())
state = Path(klass["state"])

# 127.0.0.1 only: the proxy (what browsers reach), the hub's own API, every user's server
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = klass["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = klass["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{klass['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [klass["proxy"]]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server

# who: the class and no one else, with its two passwords (a workshop's authenticator: a real hub
# logs people in through their institution -- OAuth, LTI)
passwords = json.loads((state / "passwords.json").read_text())
c.JupyterHub.authenticator_class = "shared-password"
c.Authenticator.allowed_users = set(klass["students"])
c.Authenticator.admin_users = {klass["instructor"]}  # who logs in with the instructor's password
c.SharedPasswordAuthenticator.user_password = passwords["students"]
c.SharedPasswordAuthenticator.admin_password = passwords["instructor"]

# each user's own server runs as their own local user, from the project's environment
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.ip = "127.0.0.1"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"  # a student's home; the instructor's is the course
c.Spawner.args = klass.get("server_args", [])
c.Spawner.http_timeout = c.Spawner.start_timeout = 300  # a loaded machine starts slowly

# configured by role: Jupyter's config path puts the role's config directories first -- the hub's
# (hub/student, hub/instructor: the exchange, a terminal that keeps the project's PATH) over the
# mode's (binder/jupyter/)
ROLES = {role: [REPO / "hub" / role, REPO / "binder" / "jupyter" / role]
         for role in ("student", "instructor")}


def role(spawner):
    return "instructor" if spawner.user.name == klass["instructor"] else "student"


c.Spawner.environment = {
    "JUPYTER_CONFIG_PATH": lambda spawner: os.pathsep.join(map(str, ROLES[role(spawner)])),
    "NBGRADER_EXCHANGE": klass["exchange"],  # read by hub/student/nbgrader_config.py
    "NBGRADER_COURSE_ID": klass["course_id"],
    "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",  # nbgrader's alembic
}
