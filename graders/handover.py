"""What crosses from the student's kernel to grading: data, and nothing else.

When grading, the student's notebook runs in a sandbox whose graders hold no answer key (the
sandbox leaves graders/answer_key/ out). There a check does not judge: it hands over what it
collected (graders/evidence.py), as one display output of type MIMETYPE in its cell,

    {"check": "check_separate_grads", "hidden": true, "evidence": {...}}

and asking to see an answer hands over {"reveal": "check_three_backwards"}. The trusted grading
process reads these back with `parse` -- JSON of bounded size and depth, numbers or tagged
non-finite numbers, text, lists and mappings; nothing callable, nothing pickled -- and reaches the
verdict there (grading/verdicts.py). A record that does not parse costs its exercise, with the
reason; a record can claim other values than the student's objects held, but it can only earn
what those values earn.
"""

import json
import math
import os

MIMETYPE = "application/x-grading-handover+json"
RECORDING = os.environ.get("GRADING_HANDOVER") == "1"  # set by the grading sandbox only
MAX_BYTES = 1 << 20  # one record, as JSON
MAX_DEPTH = 24
_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class Malformed(ValueError):
    """A hand-over that is not what a check hands over; str() says why, for the instructor."""


def encode(value):
    """JSON-able data: non-finite floats tagged ({"float": "nan"}), tuples as lists."""
    if isinstance(value, float) and not math.isfinite(value):
        return {"float": "nan" if value != value else ("inf" if value > 0 else "-inf")}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    return value


_publisher = None  # the kernel's own display publisher, kept when the kernel started


def keep_publisher(shell):
    """Publish through the kernel's own display publisher: a `%%capture` or a display hook of
    the student's swaps the shell's, never this one, so a record always reaches the runner."""
    global _publisher
    _publisher = shell.display_pub


def hand_over(record):
    """Send the record as a display of the running cell (the grading sandbox's kernel only)."""
    if _publisher is not None:
        _publisher.publish({MIMETYPE: encode(record)})
        return
    from IPython.display import display

    display({MIMETYPE: encode(record)}, raw=True)


def _decode(value, depth):
    if depth > MAX_DEPTH:
        raise Malformed("nested too deeply")
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        if not math.isfinite(value):
            raise Malformed("an untagged non-finite number")
        return value
    if kind is list:
        return [_decode(v, depth + 1) for v in value]
    if kind is dict:
        if set(value) == {"float"} and value["float"] in _FLOATS:
            return _FLOATS[value["float"]]
        return {k: _decode(v, depth + 1) for k, v in value.items()}
    raise Malformed(f"a {kind.__name__} where data was expected")


def parse(data):
    """A record handed over by a kernel, checked and decoded; Malformed if it is not one."""
    try:
        text = json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise Malformed(f"not plain JSON ({error})") from None
    if len(text) > MAX_BYTES:
        raise Malformed(f"{len(text)} bytes, over the limit of {MAX_BYTES}")
    record = _decode(json.loads(text), 0)
    if not isinstance(record, dict):
        raise Malformed("not a mapping")
    if "reveal" in record:
        if set(record) != {"reveal"} or type(record["reveal"]) is not str:
            raise Malformed("a reveal that names no check")
        return record
    if set(record) != {"check", "hidden", "evidence"} or type(record["check"]) is not str \
            or type(record["hidden"]) is not bool:
        raise Malformed("not a check's record")
    return record
