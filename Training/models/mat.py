"""MAT (Zhao et al., CVPR 2021, "Multi-attentional deepfake detection") on the project's
EfficientNet-Lite0, in PyTorch.

At the 128 px input:
- attention: the output of block 10 (end of stage 5, 112 ch, 8×8) → 1×1 conv + BN + ReLU →
  M = 4 attention maps A_k;
- textural feature enhancement: the output of block 2 (end of stage 2, 24 ch, 32×32) minus its
  3×3 local average (stride 1, the border averaging only the pixels inside) → three densely
  connected 3×3 convs + BN + ReLU (each reads the input and every earlier conv's output, 24 ch
  each) → F = the three outputs stacked (72 ch);
- bilinear attention pooling: A_k resized bilinearly (half-pixel centres) to F's size,
  v_k = Σ_{m,n} F ⊙ A_k / (H·W), normalised, v_k / max(‖v_k‖₂, 1e-6) → P (M × 72);
- global feature: the same pooling of the head's map (1280 ch after ReLU6, 4×4) with Σ_k A_k
  resized to it → G (1280);
- classifier: [P flattened, G] (1,568) → Linear 256 → ReLU → Linear 1 = logit of p_fake.

Keys: `backbone.*` (Training/models/efficientnet_lite.py's, its unused `_fc` included),
`attention.{conv,bn}.*`, `texture.{0,1,2}.{conv,bn}.*`, `classifier.{0,2}.*`, and the buffer
`centres` (M × 72, the regional independence loss's feature centres) which training keeps and the
export drops. Sources/Detectors/MAT.swift loads the same keys; keep the two in step.
"""
import torch
from torch import nn
import torch.nn.functional as F

from .efficientnet_lite import BN_EPS, HEAD_CHANNELS, EfficientNetLite0, block_specs

ATTENTION_BLOCK = 10
SHALLOW_BLOCK = 2
ATTENTIONS = 4
TEXTURE_GROWTH = 24
TEXTURE_LAYERS = 3
HIDDEN = 256
NORM_EPS = 1e-6

SHALLOW_CHANNELS = block_specs()[SHALLOW_BLOCK][-1]
ATTENTION_IN = block_specs()[ATTENTION_BLOCK][-1]
TEXTURE_CHANNELS = TEXTURE_GROWTH * TEXTURE_LAYERS
FEATURES = ATTENTIONS * TEXTURE_CHANNELS + HEAD_CHANNELS


class ConvBN(nn.Module):
    """conv (no bias, padding k // 2) → BN → ReLU; keys `conv`, `bn`."""

    def __init__(self, cin: int, cout: int, kernel: int):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, padding=kernel // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=BN_EPS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.bn(self.conv(x)))


def local_contrast(x: torch.Tensor) -> torch.Tensor:
    """x minus its 3×3 local average (stride 1; at the border the average of the pixels inside)."""
    return x - F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)


def attention_pool(features: torch.Tensor, attentions: torch.Tensor) -> torch.Tensor:
    """[N, C, H, W] features, [N, K, h, w] maps → [N, K, C]: each map resized bilinearly to H×W,
    the features' weighted spatial mean under it, L2-normalised."""
    size = features.shape[-2:]
    if attentions.shape[-2:] != size:
        attentions = F.interpolate(attentions, size=size, mode="bilinear", align_corners=False)
    pooled = torch.einsum("nkhw,nchw->nkc", attentions, features) / (size[0] * size[1])
    return pooled / pooled.norm(dim=-1, keepdim=True).clamp_min(NORM_EPS)


class MAT(nn.Module):
    """Input [N, 3, S, S] scaled x/127.5 − 1; output logits of p_fake."""

    def __init__(self, dropout: float = 0.2):
        super().__init__()
        self.backbone = EfficientNetLite0()
        self.attention = ConvBN(ATTENTION_IN, ATTENTIONS, 1)
        self.texture = nn.ModuleList(ConvBN(SHALLOW_CHANNELS + i * TEXTURE_GROWTH, TEXTURE_GROWTH, 3)
                                     for i in range(TEXTURE_LAYERS))
        self.classifier = nn.Sequential(nn.Linear(FEATURES, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 1))
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("centres", torch.zeros(ATTENTIONS, TEXTURE_CHANNELS))

    def stem_to(self, x: torch.Tensor, last_block: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(block SHALLOW_BLOCK's output, block `last_block`'s output)."""
        net = self.backbone
        x = F.relu6(net._bn0(net._conv_stem(x)))
        shallow = None
        for index in range(last_block + 1):
            x = net._blocks[index](x)
            if index == SHALLOW_BLOCK:
                shallow = x
        return shallow, x

    def attention_maps(self, x: torch.Tensor) -> torch.Tensor:
        """[N, M, h, w] attention maps (h = w = S/16) of input x."""
        return self.attention(self.stem_to(x, ATTENTION_BLOCK)[1])

    def textural(self, shallow: torch.Tensor) -> torch.Tensor:
        outputs = [local_contrast(shallow)]
        for layer in self.texture:
            outputs.append(layer(torch.cat(outputs, dim=1)))
        return torch.cat(outputs[1:], dim=1)

    def parts(self, x: torch.Tensor) -> dict:
        """attentions [N, M, h, w], regional features P [N, M, C_F], global G [N, 1280], logits [N]."""
        net = self.backbone
        shallow, mid = self.stem_to(x, ATTENTION_BLOCK)
        attentions = self.attention(mid)
        y = mid
        for block in net._blocks[ATTENTION_BLOCK + 1:]:
            y = block(y)
        head = F.relu6(net._bn1(net._conv_head(y)))
        regional = attention_pool(self.textural(shallow), attentions)
        global_ = attention_pool(head, attentions.sum(dim=1, keepdim=True))[:, 0]
        logits = self.classifier(self.dropout(torch.cat([regional.flatten(1), global_], dim=1))).squeeze(1)
        return {"attentions": attentions, "regional": regional, "global": global_, "logits": logits}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.parts(x)["logits"]


class RegionalIndependenceLoss(nn.Module):
    """MAT's regional independence loss on the regional features P [N, M, C] (unit rows):
    intra-class: Σ_k max(‖P_jk − c_k‖² − m_in(y_j), 0), averaged over the batch (m_in 0.05 for
    reals, 0.1 for fakes); inter-region: Σ_{k≠l} max(m_out − ‖c_k − c_l‖², 0) with m_out 0.2.
    The centres c (the model's `centres` buffer) move to c + α·mean_j(P_j − c) each training
    step; the inter term reads those updated centres with their gradient (so it pushes the
    regions' features apart), the intra term reads them detached."""

    def __init__(self, margin_real: float = 0.05, margin_fake: float = 0.1, margin_out: float = 0.2):
        super().__init__()
        self.margin_real, self.margin_fake, self.margin_out = margin_real, margin_fake, margin_out

    def forward(self, regional: torch.Tensor, labels: torch.Tensor, centres: torch.Tensor, alpha: float,
                update: bool = True) -> torch.Tensor:
        moved = centres + alpha * (regional - centres).mean(dim=0)
        margins = torch.where(labels > 0.5, self.margin_fake, self.margin_real).to(regional.dtype)
        intra = ((regional - moved.detach()).pow(2).sum(-1) - margins[:, None]).clamp_min(0).sum(-1).mean()
        distances = torch.cdist(moved, moved).pow(2)
        off_diagonal = ~torch.eye(len(moved), dtype=torch.bool)
        inter = (self.margin_out - distances[off_diagonal]).clamp_min(0).sum()
        if update:
            with torch.no_grad():
                centres.copy_(moved)
        return intra + inter


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of [N, C, H, W] (radius 3σ, reflect padding)."""
    radius = max(1, int(round(3 * sigma)))
    radius = min(radius, x.shape[-1] - 1, x.shape[-2] - 1)
    taps = torch.arange(-radius, radius + 1, dtype=x.dtype)
    kernel = torch.exp(-0.5 * (taps / sigma) ** 2)
    kernel = (kernel / kernel.sum()).to(x.dtype)
    channels = x.shape[1]
    x = F.pad(x, (radius, radius, 0, 0), mode="reflect")
    x = F.conv2d(x, kernel.view(1, 1, 1, -1).repeat(channels, 1, 1, 1), groups=channels)
    x = F.pad(x, (0, 0, radius, radius), mode="reflect")
    return F.conv2d(x, kernel.view(1, 1, -1, 1).repeat(channels, 1, 1, 1), groups=channels)


def attention_mask(attention: torch.Tensor, size: int, low: float = 0.4, high: float = 0.8) -> torch.Tensor:
    """[N, h, w] one attention map per image → [N, 1, size, size] soft mask in [0, 1]: the map over
    its own maximum, 0 below `low`, 1 above `high`, linear between, resized bilinearly."""
    peak = attention.flatten(1).amax(dim=1).clamp_min(1e-6)[:, None, None]
    mask = ((attention / peak - low) / (high - low)).clamp(0, 1)
    return F.interpolate(mask[:, None], size=(size, size), mode="bilinear", align_corners=False)


def degrade(x: torch.Tensor, mode: str, sigma: float, factor: float) -> torch.Tensor:
    """The AGDA degradation: Gaussian blur ("blur") or down-and-up resampling by `factor` ("resize")."""
    if mode == "blur":
        return gaussian_blur(x, sigma)
    size = x.shape[-1]
    small = F.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False)
    return F.interpolate(small, size=(size, size), mode="bilinear", align_corners=False)


def agda(model: MAT, x: torch.Tensor, generator: torch.Generator, sigma: float, factor: float) -> torch.Tensor:
    """Attention-guided data augmentation: for each image, one of its attention maps (drawn at
    random) marks where the image is degraded (blurred or resampled, drawn at random, half each):
    x·(1 − mask) + degraded·mask. The maps come from the model in eval mode without gradients."""
    was_training = model.training
    model.eval()
    with torch.no_grad():
        maps = model.attention_maps(x)
    model.train(was_training)
    pick = torch.randint(maps.shape[1], (len(x),), generator=generator)
    mask = attention_mask(maps[torch.arange(len(x)), pick], x.shape[-1])
    blur = torch.rand(len(x), generator=generator) < 0.5
    degraded = torch.where(blur[:, None, None, None], degrade(x, "blur", sigma, factor), degrade(x, "resize", sigma, factor))
    return x * (1 - mask) + degraded * mask
