#!/bin/bash
# Instructor mode (never on Binder): formgrader to grade by hand, the assignment and course lists
# for nbgrader's exchange, and the create-assignment toolbar; set explicitly, so that it holds
# even in an environment switched to student mode.
#   JUPYTER_CONFIG_DIR=DIR bash binder/instructor-mode.sh --user
#                                  in DIR only, for JUPYTER_CONFIG_PATH=DIR (make instructor)
#   bash binder/instructor-mode.sh   in this Python environment
set -euo pipefail
level=(--level=sys_prefix) server_level=(--sys-prefix)
case ${1:-} in
    --user) level=(--level=user) server_level=(--user) ;;
    "") ;;
    *) echo "usage: $0 [--user]" >&2; exit 2 ;;
esac
jupyter labextension enable "${level[@]}" @jupyter/nbgrader:formgrader \
    @jupyter/nbgrader:create-assignment @jupyter/nbgrader:assignment-list \
    @jupyter/nbgrader:course-list
jupyter labextension disable "${level[@]}" @jupyterlab/apputils-extension:announcements
jupyter server extension enable "${server_level[@]}" nbgrader.server_extensions.formgrader \
    nbgrader.server_extensions.assignment_list nbgrader.server_extensions.course_list \
    nbgrader.server_extensions.validate_assignment
