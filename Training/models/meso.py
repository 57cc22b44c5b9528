"""Meso-4 and MesoInception-4 (Afchar et al., WIFS 2018) in PyTorch.

Parameter names are the checkpoint keys the Swift engine loads (Sources/Detectors/Meso4.swift,
MesoInception4.swift); keep the two in step. Semantics follow the authors' Keras models:
conv (Keras "same") -> ReLU -> BatchNorm (eps 1e-3) -> max-pool (Keras "same": pads bottom/right),
flatten in C,H,W order (the importer permutes the first dense layer for it), and the last
layer's logit is p_fake's (the importer negates the authors' 1 = real output).
"""
import torch
from torch import nn
import torch.nn.functional as F

KERAS_BN_EPS = 1e-3


def keras_same_max_pool(x: torch.Tensor, size: int) -> torch.Tensor:
    """MaxPooling2D(pool_size=size, padding='same'): stride = size, extra padding at bottom/right."""
    height, width = x.shape[-2:]
    pad_h = max((-(-height // size) - 1) * size + size - height, 0)
    pad_w = max((-(-width // size) - 1) * size + size - width, 0)
    if pad_h or pad_w:
        x = F.pad(x, (pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2), value=float("-inf"))
    return F.max_pool2d(x, size, size)


def same_conv(cin: int, cout: int, kernel: int, dilation: int = 1) -> nn.Conv2d:
    """Stride-1 Keras "same" conv; odd kernels pad symmetrically."""
    assert kernel % 2 == 1
    return nn.Conv2d(cin, cout, kernel, padding=dilation * (kernel - 1) // 2, dilation=dilation)


class MesoClassifier(nn.Module):
    """The shared head: flatten(C,H,W) -> dropout -> fc1 16 -> LeakyReLU(0.1) -> dropout -> fc2 1."""

    def __init__(self, features: int = 1024):
        super().__init__()
        self.fc1 = nn.Linear(features, 16)
        self.fc2 = nn.Linear(16, 1)
        self.dropout = nn.Dropout(0.5)

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        """Logit of p_fake per sample."""
        x = self.dropout(torch.flatten(x, 1))
        x = self.dropout(F.leaky_relu(self.fc1(x), 0.1))
        return self.fc2(x).squeeze(1)


class Meso4(MesoClassifier):
    """Input [N, 3, 256, 256] RGB in [0, 1]; output logits, p_fake = sigmoid(logit)."""

    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = same_conv(3, 8, 3), nn.BatchNorm2d(8, eps=KERAS_BN_EPS)
        self.conv2, self.bn2 = same_conv(8, 8, 5), nn.BatchNorm2d(8, eps=KERAS_BN_EPS)
        self.conv3, self.bn3 = same_conv(8, 16, 5), nn.BatchNorm2d(16, eps=KERAS_BN_EPS)
        self.conv4, self.bn4 = same_conv(16, 16, 5), nn.BatchNorm2d(16, eps=KERAS_BN_EPS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = keras_same_max_pool(self.bn1(F.relu(self.conv1(x))), 2)
        x = keras_same_max_pool(self.bn2(F.relu(self.conv2(x))), 2)
        x = keras_same_max_pool(self.bn3(F.relu(self.conv3(x))), 2)
        x = keras_same_max_pool(self.bn4(F.relu(self.conv4(x))), 4)
        return self.classify(x)


class Inception(nn.Module):
    """Inc(a, b, c, d): concat of 1x1 a | 1x1 b -> 3x3 b | 1x1 c -> 3x3 c dil 2 | 1x1 d -> 3x3 d dil 3, all ReLU."""

    def __init__(self, cin: int, a: int, b: int, c: int, d: int):
        super().__init__()
        self.branch1 = same_conv(cin, a, 1)
        self.branch2_reduce, self.branch2 = same_conv(cin, b, 1), same_conv(b, b, 3)
        self.branch3_reduce, self.branch3 = same_conv(cin, c, 1), same_conv(c, c, 3, dilation=2)
        self.branch4_reduce, self.branch4 = same_conv(cin, d, 1), same_conv(d, d, 3, dilation=3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        def chain(reduce, conv):
            return F.relu(conv(F.relu(reduce(x))))
        return torch.cat([F.relu(self.branch1(x)), chain(self.branch2_reduce, self.branch2),
                          chain(self.branch3_reduce, self.branch3), chain(self.branch4_reduce, self.branch4)], 1)


class MesoInception4(MesoClassifier):
    """Input [N, 3, 256, 256] RGB in [0, 1]; output logits, p_fake = sigmoid(logit)."""

    def __init__(self):
        super().__init__()
        self.inception1, self.bn1 = Inception(3, 1, 4, 4, 2), nn.BatchNorm2d(11, eps=KERAS_BN_EPS)
        self.inception2, self.bn2 = Inception(11, 2, 4, 4, 2), nn.BatchNorm2d(12, eps=KERAS_BN_EPS)
        self.conv3, self.bn3 = same_conv(12, 16, 5), nn.BatchNorm2d(16, eps=KERAS_BN_EPS)
        self.conv4, self.bn4 = same_conv(16, 16, 5), nn.BatchNorm2d(16, eps=KERAS_BN_EPS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = keras_same_max_pool(self.bn1(self.inception1(x)), 2)
        x = keras_same_max_pool(self.bn2(self.inception2(x)), 2)
        x = keras_same_max_pool(self.bn3(F.relu(self.conv3(x))), 2)
        x = keras_same_max_pool(self.bn4(F.relu(self.conv4(x))), 4)
        return self.classify(x)


ARCHITECTURES = {"meso4": Meso4, "mesoinception4": MesoInception4}


def load(architecture: str, state: dict) -> nn.Module:
    """Strictly loads a state dict (BatchNorm's num_batches_tracked is not exported)."""
    model = ARCHITECTURES[architecture]()
    missing, unexpected = model.load_state_dict({k: torch.as_tensor(v) for k, v in state.items()}, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise KeyError(f"state dict mismatch: missing {missing}, unexpected {unexpected}")
    return model.eval()
