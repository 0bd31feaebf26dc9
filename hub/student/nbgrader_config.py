"""A student's nbgrader on the class's hub: the exchange it shares and the course it serves, as
the hub's spawner says (hub/jupyterhub_config.py). Read over student mode, binder/jupyter/student:
the Assignments tab is back, to fetch, submit and fetch feedback; formgrader stays off."""

import os

c = get_config()  # noqa: F821  (nbgrader provides it)
c.Exchange.root = os.environ["NBGRADER_EXCHANGE"]
c.CourseDirectory.course_id = os.environ["NBGRADER_COURSE_ID"]
