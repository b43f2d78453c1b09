"""``qwen_vl_utils.vision_process``, image half: ``fetch_image`` and ``smart_resize`` as in
qwen-vl-utils 0.0.14 (the same code, less the URL download). See ``__init__.py``."""

from __future__ import annotations

import base64
import copy
import math
from io import BytesIO

from PIL import Image

SPATIAL_MERGE_SIZE = 2
IMAGE_MIN_TOKEN_NUM = 4
IMAGE_MAX_TOKEN_NUM = 16384
MAX_RATIO = 200
FPS = 2.0
FRAME_FACTOR = 2


def round_by_factor(number, factor):
    return round(number / factor) * factor


def ceil_by_factor(number, factor):
    return math.ceil(number / factor) * factor


def floor_by_factor(number, factor):
    return math.floor(number / factor) * factor


def smart_resize(height, width, factor, min_pixels=None, max_pixels=None):
    max_pixels = max_pixels if max_pixels is not None else IMAGE_MAX_TOKEN_NUM * factor**2
    min_pixels = min_pixels if min_pixels is not None else IMAGE_MIN_TOKEN_NUM * factor**2
    if max(height, width) / min(height, width) > MAX_RATIO:
        raise ValueError(f"absolute aspect ratio must be smaller than {MAX_RATIO}")
    h_bar = max(factor, round_by_factor(height, factor))
    w_bar = max(factor, round_by_factor(width, factor))
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt((height * width) / max_pixels)
        h_bar = floor_by_factor(height / beta, factor)
        w_bar = floor_by_factor(width / beta, factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = ceil_by_factor(height * beta, factor)
        w_bar = ceil_by_factor(width * beta, factor)
    return h_bar, w_bar


def to_rgb(pil_image):
    if pil_image.mode == "RGBA":
        white = Image.new("RGB", pil_image.size, (255, 255, 255))
        white.paste(pil_image, mask=pil_image.split()[3])
        return white
    return pil_image.convert("RGB")


def fetch_image(ele, image_patch_size=14):
    image = ele["image"] if "image" in ele else ele["image_url"]
    factor = int(image_patch_size * SPATIAL_MERGE_SIZE)
    if isinstance(image, Image.Image):
        obj = image
    elif image.startswith("file://"):
        obj = Image.open(image[7:])
    elif image.startswith("data:image") and "base64," in image:
        with BytesIO(base64.b64decode(image.split("base64,", 1)[1])) as bio:
            obj = copy.deepcopy(Image.open(bio))
    elif image.startswith(("http://", "https://")):
        raise ValueError("offline test shim: no URLs")
    else:
        obj = Image.open(image)
    image = to_rgb(obj)
    if "resized_height" in ele and "resized_width" in ele:
        h, w = smart_resize(ele["resized_height"], ele["resized_width"], factor=factor)
    else:
        width, height = image.size
        h, w = smart_resize(height, width, factor=factor,
                            min_pixels=ele.get("min_pixels", IMAGE_MIN_TOKEN_NUM * factor**2),
                            max_pixels=ele.get("max_pixels", IMAGE_MAX_TOKEN_NUM * factor**2))
    return image.resize((w, h))


def fetch_video(*args, **kwargs):
    raise NotImplementedError("offline test shim: images only")


def process_vision_info(*args, **kwargs):
    raise NotImplementedError("offline test shim: images only")


def extract_vision_info(*args, **kwargs):
    raise NotImplementedError("offline test shim: images only")
