"""What a lesson's picture is made of, for the accessibility rules: the colours and styles of its
lines and bars, its colormaps, and each text with the colour behind it. Run inside a lesson's
kernel (tests/test_lesson_rules.py records every picture graders.pictures.show shows)."""

import numpy as np
from matplotlib.colors import to_hex, to_rgb


def _behind(ax, text):
    """The colour a text is read on: its box, else the image under it, else the axes."""
    box = text.get_bbox_patch()
    if box is not None:
        return to_hex(box.get_facecolor())
    for image in ax.get_images():
        x, y = text.get_position()
        values = image.get_array()
        row, col = int(round(y)), int(round(x))
        if 0 <= row < values.shape[0] and 0 <= col < values.shape[1]:
            return to_hex(image.cmap(image.norm(values[row, col])))
    return to_hex(ax.get_facecolor())


def _reference(line):
    """A horizontal or vertical guide line (axhline, axvline), not data."""
    xs, ys = (np.asarray(v, dtype=float) for v in line.get_data())
    return bool(len(xs) > 0 and (np.ptp(ys) == 0 or np.ptp(xs) == 0))


def facts(fig):
    pictures = []
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        pictures.append({
            "lines": [{"color": to_hex(line.get_color()), "style": str(line.get_linestyle()),
                       "marker": str(line.get_marker()), "reference": _reference(line)}
                      for line in ax.get_lines()],
            "bars": [to_hex(patch.get_facecolor()) for patch in ax.patches],
            "colormaps": [image.cmap.name for image in ax.get_images()],
            "texts": [{"text": t.get_text(), "color": to_hex(t.get_color()),
                       "on": _behind(ax, t)} for t in ax.texts if t.get_text().strip()],
        })
    return pictures


def rgb(colour):
    return to_rgb(colour)
