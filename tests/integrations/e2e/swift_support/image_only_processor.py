"""A second ``--external_plugins`` file for the ``swift rlhf`` run of ``nox -s swift`` (CPU only).

transformers 5 loads a Qwen2.5-VL processor together with its video processor, which needs
torchvision; torchvision's PyPI wheels are CUDA builds that do not import next to the CPU torch
wheel. When swift's model loader cannot build the processor for that reason, this falls back to
the same processor without the video part (``rlvr_rewards.vlm.rollout.load_processor``: tokenizer,
image processor, chat template). Images only; nothing else in swift is changed.
"""

from swift.model.register import ModelLoader

from rlvr_rewards.vlm.rollout import load_processor

_original = ModelLoader.get_processor


def get_processor(self, model_dir, config):
    try:
        return _original(self, model_dir, config)
    except ImportError as exc:  # "Qwen2VLVideoProcessor requires the Torchvision library"
        if "orchvision" not in str(exc):
            raise
        print(f"[image_only_processor] {type(exc).__name__}: torchvision missing; image-only processor", flush=True)
        return load_processor(model_dir)


ModelLoader.get_processor = get_processor
