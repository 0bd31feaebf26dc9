"""nbgrader: the course is rooted here; solutions/ is the source, course/ the release."""

from pathlib import Path

c = get_config()  # noqa: F821  (nbgrader provides it)

c.CourseDirectory.root = str(Path(__file__).resolve().parent)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "course"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.Execute.timeout = 60  # a lesson runs in seconds; an endless loop fails its cell, not the class

# what one submission may cost when graded (grading/sandbox.py), and hand in (grading/files.py)
c.SandboxedExecute.wall_limit = 600  # seconds, its files' copying included
c.SandboxedExecute.memory_limit = 2 << 30  # bytes of memory, all its processes together
c.SubmissionFiles.notebook_limit = 20_000_000  # bytes of each notebook
c.SubmissionFiles.files_limit = 1000  # files beside the notebook; past it, the notebook alone
c.SubmissionFiles.size_limit = 50_000_000  # bytes beside the notebook; past it, likewise
# collecting from the exchange (formgrader's button too) takes only students' own files
c.ExchangeFactory.collect = "grading.collect.OwnCollect"
