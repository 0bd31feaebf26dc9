#!/bin/bash
# Student mode. Students validate their work; the instructor's formgrader and (without a course
# exchange) the assignment and course lists are switched off.
#   bash binder/student-mode.sh              Binder, a hub's image: in this Python environment
#   bash binder/student-mode.sh --exchange   a hub with nbgrader's exchange: students keep the
#                                            assignment list (fetch, submit, fetch feedback)
#   JUPYTER_CONFIG_DIR=DIR bash binder/student-mode.sh --user
#                                            in DIR only, for JUPYTER_CONFIG_PATH=DIR (make lab)
set -euo pipefail
level=(--level=sys_prefix) server_level=(--sys-prefix) exchange=no
for option in "$@"; do
    case $option in
        --user) level=(--level=user) server_level=(--user) ;;
        --exchange) exchange=yes ;;
        *) echo "usage: $0 [--user] [--exchange]" >&2; exit 2 ;;
    esac
done
lists_lab=(@jupyter/nbgrader:assignment-list @jupyter/nbgrader:course-list)
lists_server=(nbgrader.server_extensions.assignment_list nbgrader.server_extensions.course_list)
off_lab=(@jupyter/nbgrader:formgrader @jupyter/nbgrader:create-assignment
         @jupyterlab/apputils-extension:announcements)  # no "get news?" pop-up in class
off_server=(nbgrader.server_extensions.formgrader)
if [ $exchange = yes ]; then
    jupyter labextension enable "${level[@]}" "${lists_lab[@]}"
    jupyter server extension enable "${server_level[@]}" "${lists_server[@]}"
else
    off_lab+=("${lists_lab[@]}") off_server+=("${lists_server[@]}")
fi
jupyter labextension disable "${level[@]}" "${off_lab[@]}"
jupyter server extension disable "${server_level[@]}" "${off_server[@]}"
