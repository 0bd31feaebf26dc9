#!/bin/bash
# The instructor's JupyterLab on a course directory: formgrader to grade by hand, the assignment
# and course lists for nbgrader's exchange, create-assignment -- on, whatever mode this Python
# environment was switched to (binder/jupyter/instructor/ comes first on the config path).
#   bash binder/instructor-mode.sh COURSE_DIR [jupyter lab options]      (make instructor)
set -euo pipefail
mode=$(cd "$(dirname "$0")" && pwd)/jupyter/instructor
course=${1:?usage: $0 COURSE_DIR [jupyter lab options]}
shift
if [ ! -f "$course/nbgrader_config.py" ]; then
    echo "$course is not an nbgrader course (no nbgrader_config.py)" >&2
    exit 2
fi
cd "$course"  # formgrader reads the course's nbgrader_config.py from here
export JUPYTER_CONFIG_PATH=$mode${JUPYTER_CONFIG_PATH:+:$JUPYTER_CONFIG_PATH}
exec jupyter lab --ServerApp.root_dir=. "$@"
