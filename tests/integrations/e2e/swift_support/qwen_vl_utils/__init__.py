"""The image half of ``qwen-vl-utils`` 0.0.14, for ``nox -s swift`` only (on PYTHONPATH of the
``swift rlhf`` run, with a ``.dist-info`` so swift's version check finds it).

ms-swift's Qwen2.5-VL loader requires the ``qwen_vl_utils`` distribution and its template calls
``qwen_vl_utils.fetch_image`` on every image. The real package imports torchvision at module
level, and torchvision's PyPI wheels are CUDA builds: next to the CPU torch wheel ``import
torchvision`` fails (``RuntimeError: operator torchvision::nms does not exist``). Images never
touch torchvision there, so this copy keeps the image functions and drops video (the test has
none).
"""

from . import vision_process
from .vision_process import (
    extract_vision_info,
    fetch_image,
    fetch_video,
    process_vision_info,
    smart_resize,
)

__all__ = ["extract_vision_info", "fetch_image", "fetch_video", "process_vision_info", "smart_resize", "vision_process"]
