"""FakeSpotter (Wang et al., IJCAI 2020) on the project's EfficientNet-Lite0, in PyTorch.

The paper monitors the neurons of a face CNN layer by layer: a neuron is *activated* for an input
when its output exceeds its layer's threshold θ_l, the mean activation of that layer over the
real training inputs (mean over inputs and neurons: the "MNC" criterion); the activated-neuron
coverage vector feeds a shallow 5-layer fully connected classifier trained with binary
cross-entropy.

Here a neuron is a channel of a monitored layer and its activation the spatial mean of that
channel (one value per channel, whatever the input size). Monitored layers (MONITORED): the
output of the last block of each of the 7 stages (blocks 0, 2, 4, 7, 10, 14, 15; 16 + 24 + 40 +
80 + 112 + 192 + 320 channels) and the 1280-channel head after its ReLU6: 2,064 neurons. The
backbone is frozen; only the MLP learns.

Keys: `backbone.*` (those of Training/models/efficientnet_lite.py, including its unused
one-logit `_fc`), `thresholds` ([8], one per monitored layer), `mlp.{0,2,4,6,8}.{weight,bias}`.
Sources/Detectors/FakeSpotter.swift loads the same keys; keep the two in step. A weight file
may hold the backbone itself or name a backbone file beside it (Training/train_fakespotter.py).
"""
import torch
from torch import nn

from .efficientnet_lite import HEAD_CHANNELS, EfficientNetLite0, block_specs

# Blocks whose outputs are monitored (the last of each stage), then the head.
MONITORED_BLOCKS = (0, 2, 4, 7, 10, 14, 15)
LAYER_NAMES = tuple(f"block{b}" for b in MONITORED_BLOCKS) + ("head",)
LAYER_CHANNELS = tuple(block_specs()[b][-1] for b in MONITORED_BLOCKS) + (HEAD_CHANNELS,)
NEURONS = sum(LAYER_CHANNELS)
MLP_WIDTHS = (512, 256, 128, 64)


def classifier() -> nn.Sequential:
    """5 fully connected layers, ReLU between: NEURONS → 512 → 256 → 128 → 64 → 1 logit."""
    layers, width = [], NEURONS
    for out in MLP_WIDTHS:
        layers += [nn.Linear(width, out), nn.ReLU()]
        width = out
    return nn.Sequential(*layers, nn.Linear(width, 1))


class FakeSpotter(nn.Module):
    """Input [N, 3, S, S] scaled as the backbone's card says (x/127.5 − 1); output logits of p_fake."""

    def __init__(self):
        super().__init__()
        self.backbone = EfficientNetLite0()
        self.register_buffer("thresholds", torch.zeros(len(LAYER_CHANNELS)))
        self.mlp = classifier()

    def layer_means(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Per monitored layer, [N, C]: each channel's spatial mean (the neuron's activation)."""
        net = self.backbone
        x = nn.functional.relu6(net._bn0(net._conv_stem(x)))
        means = []
        for index, block in enumerate(net._blocks):
            x = block(x)
            if index in MONITORED_BLOCKS:
                means.append(x.mean(dim=(2, 3)))
        x = nn.functional.relu6(net._bn1(net._conv_head(x)))
        means.append(x.mean(dim=(2, 3)))
        return means

    def coverage(self, means: list[torch.Tensor]) -> torch.Tensor:
        """[N, NEURONS]: 1 where a neuron's activation exceeds its layer's threshold, else 0."""
        return torch.cat([(m > t).to(m.dtype) for m, t in zip(means, self.thresholds)], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(self.coverage(self.layer_means(x))).squeeze(1)


def layer_thresholds(means: list[torch.Tensor]) -> torch.Tensor:
    """θ_l = Σ_inputs Σ_neurons activation / (|neurons| · |inputs|) per layer, over `means`
    (layer_means of the real training inputs)."""
    return torch.stack([m.double().mean() for m in means]).to(torch.float32)
