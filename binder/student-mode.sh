#!/bin/bash
# Students validate their work; nbgrader's exchange panels (assignment and course lists) and the
# instructor's formgrader need a course exchange they do not have, so they are switched off.
set -euo pipefail
jupyter labextension disable --level=sys_prefix \
    @jupyter/nbgrader:assignment-list @jupyter/nbgrader:course-list \
    @jupyter/nbgrader:formgrader @jupyter/nbgrader:create-assignment \
    @jupyterlab/apputils-extension:announcements  # no "get news?" pop-up in class
jupyter server extension disable --sys-prefix \
    nbgrader.server_extensions.assignment_list nbgrader.server_extensions.course_list \
    nbgrader.server_extensions.formgrader
