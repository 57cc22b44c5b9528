"""AMTENnet (Guo et al., CVIU 2021; seeds/NOTES.md 004) in PyTorch, multi-class.

The adaptive manipulation trace extractor: conv1 (3×3, 3→3, pad 1) on the RGB input, and the
trace F_mt = conv1(I) − I (the authors' Eltwise SUM with coefficients 1, −1). Reuse: conv2_1 →
conv2_2 (3×3, 3 channels) on F_mt, concatenated after F_mt (6 channels); conv3_1 → conv3_2 (3×3,
6 channels) on that, concatenated after it (12 channels) = F_reu. No nonlinearity inside the
extractor (the deploy file has none there). Then conv4 3×3→24, conv5 3×3→48, conv6 3×3→64 (pad 1,
each BatchNorm), conv7 1×1→128, each → ReLU → max-pool 3 stride 2 in Caffe's ceil mode (pads the
bottom/right edge only, which is Keras "same" for these sizes); flatten (C, H, W) → fc1 300 →
ReLU → dropout 0.5 → fc2 300 → ReLU → dropout 0.5 → fc3 → softmax over the classes.

Input [N, 3, S, S] RGB x/255, S = 128 as in the authors' deploy file (S/16 squared × 128 features
into fc1; S = 256 also works). Class 0 is always "real": p_fake = 1 − p(real).

Keys: conv1, conv2_1, conv2_2, conv3_1, conv3_2, conv4, bn4, conv5, bn5, conv6, bn6, conv7, fc1,
fc2, fc3. Sources/Detectors/AMTENnet.swift loads the same keys; keep the two in step.
"""
import torch
from torch import nn
import torch.nn.functional as F

FC_WIDTH = 300
TRUNK = ((12, 24, 3), (24, 48, 3), (48, 64, 3), (64, 128, 1))  # conv4..conv7: in, out, kernel


def features_for(input_size: int) -> int:
    """Features into fc1: four pools halve the side (a multiple of 16: on odd sides Caffe's ceil
    mode and the engine's Keras "same" padding would differ)."""
    if input_size % 16:
        raise ValueError(f"input size {input_size} is not a multiple of 16")
    return 128 * (input_size // 16) ** 2


class AMTENnet(nn.Module):
    def __init__(self, classes: int, input_size: int = 128):
        super().__init__()
        if classes < 2:
            raise ValueError("AMTENnet needs real and at least one manipulation class")
        self.input_size = input_size
        self.conv1 = nn.Conv2d(3, 3, 3, padding=1)
        self.conv2_1 = nn.Conv2d(3, 3, 3, padding=1)
        self.conv2_2 = nn.Conv2d(3, 3, 3, padding=1)
        self.conv3_1 = nn.Conv2d(6, 6, 3, padding=1)
        self.conv3_2 = nn.Conv2d(6, 6, 3, padding=1)
        for index, (cin, cout, kernel) in enumerate(TRUNK, start=4):
            setattr(self, f"conv{index}", nn.Conv2d(cin, cout, kernel, padding=kernel // 2))
            if index < 7:
                setattr(self, f"bn{index}", nn.BatchNorm2d(cout))
        self.fc1 = nn.Linear(features_for(input_size), FC_WIDTH)
        self.fc2 = nn.Linear(FC_WIDTH, FC_WIDTH)
        self.fc3 = nn.Linear(FC_WIDTH, classes)
        self.dropout = nn.Dropout(0.5)

    def traces(self, x: torch.Tensor) -> torch.Tensor:
        """F_reu, [N, 12, S, S]."""
        trace = self.conv1(x) - x
        reused = torch.cat([trace, self.conv2_2(self.conv2_1(trace))], 1)
        return torch.cat([reused, self.conv3_2(self.conv3_1(reused))], 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits [N, classes]."""
        x = self.traces(x)
        for index in range(4, 8):
            x = getattr(self, f"conv{index}")(x)
            if index < 7:
                x = getattr(self, f"bn{index}")(x)
            x = F.max_pool2d(F.relu(x), 3, 2, ceil_mode=True)
        x = self.dropout(F.relu(self.fc1(torch.flatten(x, 1))))
        x = self.dropout(F.relu(self.fc2(x)))
        return self.fc3(x)


def p_fake(logits: torch.Tensor) -> torch.Tensor:
    """1 − p(real), class 0 being real."""
    return 1.0 - torch.softmax(logits, 1)[:, 0]
