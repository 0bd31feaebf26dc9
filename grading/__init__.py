"""Grading a class with nbgrader: in parallel, robust to anything a student submits, with a report.

    python -m grading demo    # a synthetic class of students, made from the lessons
    python -m grading grade   # autograde on Dask, then the CSV and report
    python -m grading release | collect | giveback | export   # the rest of the instructor's loop

    course.py     the nbgrader course: its directory, config and gradebook
    demo.py       the demo class: right, partial, mistaken, broken and cheating submissions
    autograde.py  autograde on Dask: a LocalCluster, or a cluster across machines
    integrity.py  what no test can catch: tampering with checks, torch or tracebacks
    feedback.py   feedback HTML without hidden tests (written when given back)
    report.py     grades.csv and report.html with its plots
    files.py      a submission's own files: which they are, copied safely, within limits
    collect.py    students' work into submitted/: nbgrader's exchange, or an LMS's zip
    flags.py      why a submission was flagged, in formgrader's comment
    giveback.py   feedback back: nbgrader's exchange, or a zip of one file per student
    export.py     grades by student: a column per lesson, total (from the gradebook)
    instructor.py the commands release, collect, giveback, export
    worker.py     one submission start to end: sandboxed run, verdict, scan, record
    sandbox.py    one warm bubblewrap sandbox per worker; inside.py, in it, seals each submission
    verdicts.py   the verdicts, recomputed outside the sandbox
    hub.py        `make hub`: a class on a real JupyterHub on this machine
"""
