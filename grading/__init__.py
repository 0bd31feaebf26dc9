"""Grading a class with nbgrader: in parallel, robust to anything a student submits, with a report.

    grading demo    # a synthetic class of students, made from the lessons
    grading grade   # autograde on Dask (what changed), then the CSV and report
    grading release | collect | giveback | export   # the rest of the instructor's loop

    course.py     the nbgrader course: its directory, config, exchange and gradebook
    pipeline.py   nbgrader configured as the grading run: formgrader's buttons do what it does
    demo.py       the demo class: right, partial, mistaken, broken and cheating submissions
    autograde.py  autograde on Dask: a LocalCluster, or a cluster across machines
    integrity.py  what no test can catch: tampering with checks, torch or tracebacks
    feedback.py   feedback HTML without hidden tests, maths as MathML (written when given back)
    report.py     grades.csv and report.html from the gradebook: who decided, what waits
    files.py      a submission's own files: which they are, copied safely, within limits
    collect.py    students' work into submitted/: nbgrader's exchange, or an LMS's zip
    flags.py      why a submission was flagged: nbgrader's `flagged`, the exercise's comment
    giveback.py   feedback back, once hand grading is done: the exchange, or a zip for an LMS
    export.py     grades by student: a column per lesson, total (from the gradebook)
    instructor.py the commands release, collect, giveback, export
    worker.py     one submission start to end: own files, sandboxed run, verdicts, scan, flags,
                  record (and what it was graded on: unchanged, it is not graded again)
    sandbox.py    one warm bubblewrap sandbox per worker; inside.py, in it, seals each submission
    verdicts.py   the verdicts, recomputed outside the sandbox
    hub.py        `make hub`: a class on a real JupyterHub on this machine
"""
