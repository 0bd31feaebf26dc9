"""Student mode's server (make lab, Binder, a hub's image): a lesson opens unmodified, and the
kernels of lessons a student has left go away, so the whole course fits Binder's 2 GB.

Read beside jupyter_server_config.json (the extensions student mode switches off).
"""

import os

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

c = get_config()  # noqa: F821  (Jupyter provides it)


class LessonContents(AsyncLargeFileManager):
    """Notebooks as the kernel will describe them: JupyterLab writes the kernel's language_info
    (its Python's exact version) into an opened notebook, and a lesson saved on another machine
    would open marked modified. Only what is sent is changed; the file stays as it is."""

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if content and model["type"] == "notebook":
            model["content"]["metadata"].update(KERNEL)
        return model


def _kernel():
    from ipykernel.ipkernel import IPythonKernel

    return {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                           "name": "python3"},
            "language_info": dict(IPythonKernel.language_info)}  # its version: this Python's


KERNEL = _kernel()
c.ServerApp.contents_manager_class = LessonContents

# a lesson's kernel shuts down when its tab closes (lab-settings/overrides.json), and one idle
# for 20 minutes is culled: each holds about 230 MB of its own (README)
c.LabApp.app_settings_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lab-settings")
c.MappingKernelManager.cull_idle_timeout = 20 * 60
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = True
