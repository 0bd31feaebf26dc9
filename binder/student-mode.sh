#!/bin/bash
# Student mode in this Python environment (Binder, a hub's image): students validate their work;
# the instructor's formgrader and, without a course exchange, the assignment and course lists are
# switched off -- what binder/jupyter/student/ says (`make lab` puts that directory on the config
# path instead, leaving the environment as it is).
#   bash binder/student-mode.sh              Binder, a hub without nbgrader's exchange
#   bash binder/student-mode.sh --exchange   a hub with nbgrader's exchange: students keep the
#                                            assignment list (fetch, submit, fetch feedback)
set -euo pipefail
mode=$(dirname "$0")/jupyter/student
case ${1:-} in
    --exchange | "") ;;
    *) echo "usage: $0 [--exchange]" >&2; exit 2 ;;
esac
switched_off() {  # the lab plugins or server extensions a mode's config file switches off
    python - "$1" <<'PYTHON'
import json, sys
config = json.load(open(sys.argv[1]))
lab = config.get("disabledExtensions", {})
server = config.get("ServerApp", {}).get("jpserver_extensions", {})
print(" ".join([n for n, off in lab.items() if off] + [n for n, on in server.items() if not on]))
PYTHON
}
read -r -a lab <<< "$(switched_off "$mode/labconfig/page_config.json")"
read -r -a server <<< "$(switched_off "$mode/jupyter_server_config.json")"
jupyter labextension disable --level=sys_prefix "${lab[@]}"
jupyter server extension disable --sys-prefix "${server[@]}"
# the server's own settings (lessons open unmodified, kernels of closed lessons go away): loaded
# from the environment's config, once
prefix=${STUDENT_MODE_PREFIX:-$(python -c 'import sys; print(sys.prefix)')}  # where to install
config=$prefix/etc/jupyter/jupyter_server_config.py
line="load_subconfig('$(cd "$mode" && pwd)/jupyter_server_config.py')"
mkdir -p "$(dirname "$config")"
grep -qxF "$line" "$config" 2>/dev/null || echo "$line" >> "$config"
if [ "${1:-}" = --exchange ]; then
    jupyter labextension enable --level=sys_prefix @jupyter/nbgrader:assignment-list \
        @jupyter/nbgrader:course-list @jupyter/nbgrader:menu
    jupyter server extension enable --sys-prefix nbgrader.server_extensions.assignment_list \
        nbgrader.server_extensions.course_list
fi
